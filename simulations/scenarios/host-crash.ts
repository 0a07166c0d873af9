import type { Scenario } from '../../src/sim/scenario.ts'

/** A whole host dies: nothing answers, so probes time out instead of being refused. */
export const scenario: Scenario = {
  name: 'host-crash',
  description: 'one random host crashes at 30 s (probes time out) and comes back at 90 s with a new incarnation',
  defaults: { nodes: 100, duration: '3m' },
  steps: [
    { at: '30s', op: 'host-crash', target: { random: 1 }, as: 'victim', for: '60s' }
  ]
}
