import type { Scenario } from '../../src/sim/scenario.ts'

/** Steady churn: every 10 s a random node crashes and is back 20 s later, until 60 s before the end. */
export const scenario: Scenario = {
  name: 'churn',
  description: 'every 10 s a random running node crashes, each back 20 s later, from 30 s until 60 s before the end',
  defaults: { nodes: 100, duration: '4m' },
  steps: [
    { at: '30s', op: 'churn', everyMs: '10s', downFor: '20s', until: '-60s' }
  ]
}
