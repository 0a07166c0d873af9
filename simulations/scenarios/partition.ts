import type { Scenario } from '../../src/sim/scenario.ts'

/** A third of the cluster is cut off from the rest for a minute, then the network heals. */
export const scenario: Scenario = {
  name: 'partition',
  description: 'a symmetric partition (1/3 against 2/3) from 30 s to 90 s, then heal: the views must merge again',
  defaults: { nodes: 100, duration: '3m' },
  steps: [
    { at: '30s', op: 'partition', sizes: [0.33] },
    { at: '90s', op: 'heal-all' }
  ]
}
