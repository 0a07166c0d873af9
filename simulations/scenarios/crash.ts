import type { Scenario } from '../../src/sim/scenario.ts'

/** One node's process dies (SIGKILL; its host refuses connections) and stays down. */
export const scenario: Scenario = {
  name: 'crash',
  description: 'one random node crashes at 30 s and stays down: every live node must see it dead within the bound',
  defaults: { nodes: 100, duration: '2m' },
  steps: [
    { at: '30s', op: 'crash', target: { random: 1 }, as: 'victim' }
  ]
}
