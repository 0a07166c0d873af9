import type { Scenario } from '../../src/sim/scenario.ts'

/**
 * CPU-starved nodes, as in Lifeguard's evaluation: 16 % of the nodes stall again and again
 * (running ~400 ms, then stalled ~300 ms, at most 2 s), so they see everyone's heartbeats late
 * and are heard late. Nobody healthy may be declared dead.
 */
export const scenario: Scenario = {
  name: 'slow-nodes',
  description: '16 % of the nodes CPU-starved (frequent stalls) from 30 s until 60 s before the end',
  defaults: { nodes: 100, duration: '3m' },
  steps: [
    { at: '30s', op: 'slow', target: { fraction: 0.16 }, as: 'slow' },
    { at: '-60s', op: 'heal-all' }
  ]
}
