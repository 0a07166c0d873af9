import type { Scenario } from '../../src/sim/scenario.ts'

/**
 * A crash on a lossy network: 5 % uniform loss on every link, one node crashes at 30 s, clean
 * healing phase for the last 60 s. Both halves of the detection trade-off show in one run (the
 * crash's detection time, and the false suspicions lost heartbeats cause), which is what
 * `npm run sim -- sweep crash-lossy --param phiSuspectThreshold=...` draws.
 */
export const scenario: Scenario = {
  name: 'crash-lossy',
  description: '5 % loss on every link, one random node crashes at 30 s and stays down, loss healed 60 s before the end',
  defaults: { nodes: 100, duration: '3m' },
  steps: [
    { at: '0s', op: 'loss', rate: 0.05 },
    { at: '30s', op: 'crash', target: { random: 1 }, as: 'victim' },
    { at: '-60s', op: 'heal-all' }
  ]
}
