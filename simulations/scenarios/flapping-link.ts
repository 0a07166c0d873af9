import type { Scenario } from '../../src/sim/scenario.ts'

/**
 * A flapping link (Rapid, §2 and §7): 1 % of the nodes lose their ingress for 20 s, get it back
 * for 20 s, and so on, until 60 s before the end.
 */
export const scenario: Scenario = {
  name: 'flapping-link',
  description: '1 % of the nodes have their ingress cut 20 s on / 20 s off from 30 s until 60 s before the end',
  defaults: { nodes: 100, duration: '4m' },
  steps: [
    { at: '30s', op: 'flap', from: { all: true }, to: { fraction: 0.01 }, oneWay: true, onMs: '20s', offMs: '20s', until: '-60s' },
    { at: '-60s', op: 'heal-all' }
  ]
}
