import type { Scenario } from '../../src/sim/scenario.ts'

/** 10 % uniform packet loss on every link; run with --duration 11m for the 10-minute acceptance run. */
export const scenario: Scenario = {
  name: 'loss-10pct',
  description: '10 % uniform loss on every link from 0 s until 60 s before the end, then a clean healing phase',
  defaults: { nodes: 100, duration: '3m' },
  steps: [
    { at: '0s', op: 'loss', rate: 0.1 },
    { at: '-60s', op: 'heal-all' }
  ]
}
