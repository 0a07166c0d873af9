import type { Scenario } from '../../src/sim/scenario.ts'

/** Rapid's "80 % loss at 1 % of the nodes": a few nodes with terrible links, the rest fine. */
export const scenario: Scenario = {
  name: 'lossy-nodes',
  description: 'every link of 1 % of the nodes loses 80 % of its messages from 30 s until 60 s before the end',
  defaults: { nodes: 100, duration: '3m' },
  steps: [
    { at: '30s', op: 'lossy', target: { fraction: 0.01 }, rate: 0.8, as: 'lossy' },
    { at: '-60s', op: 'heal-all' }
  ]
}
