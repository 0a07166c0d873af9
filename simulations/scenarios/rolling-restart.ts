import type { Scenario } from '../../src/sim/scenario.ts'

/** A rolling restart (a deploy): 10 % of the nodes, one every 10 s, each stopped gracefully and back 5 s later. */
export const scenario: Scenario = {
  name: 'rolling-restart',
  description: '10 % of the nodes restarted one by one (graceful leave, back 5 s later, next 10 s later) from 30 s',
  defaults: { nodes: 100, duration: '3m' },
  steps: [
    { at: '30s', op: 'rolling-restart', target: { fraction: 0.1 }, everyMs: '10s', downFor: '5s' }
  ]
}
