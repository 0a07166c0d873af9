import type { Scenario } from '../../src/sim/scenario.ts'

/** A tenth of the cluster dies at once (a rack, a bad deploy): many victims lose observers too. */
export const scenario: Scenario = {
  name: 'crash-10pct',
  description: '10 % of the nodes crash at the same moment at 30 s and stay down',
  defaults: { nodes: 100, duration: '2m' },
  steps: [
    { at: '30s', op: 'crash', target: { fraction: 0.1 }, as: 'victims' }
  ]
}
