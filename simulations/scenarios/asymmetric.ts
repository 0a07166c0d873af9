import type { Scenario } from '../../src/sim/scenario.ts'

/** An asymmetric failure: 1 % of the nodes can send but receive nothing (their ingress is cut). */
export const scenario: Scenario = {
  name: 'asymmetric',
  description: 'from 30 s to 90 s, 1 % of the nodes receive nothing (one-way cuts from everyone to them), then heal',
  defaults: { nodes: 100, duration: '3m' },
  steps: [
    { at: '30s', op: 'cut', from: { all: true }, to: { fraction: 0.01 }, oneWay: true, as: 'deaf' },
    { at: '90s', op: 'heal-all' }
  ]
}
