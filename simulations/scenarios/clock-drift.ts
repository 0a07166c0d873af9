import type { Scenario } from '../../src/sim/scenario.ts'

/** Clock drift: a fifth of the nodes' clocks run up to 2 % fast or slow. Not a fault to excuse. */
export const scenario: Scenario = {
  name: 'clock-drift',
  description: '20 % of the nodes get a clock rate drawn in [0.98, 1.02] at 10 s, and one node crashes at 60 s',
  defaults: { nodes: 100, duration: '2m' },
  steps: [
    { at: '10s', op: 'drift', target: { fraction: 0.2 }, ppm: 20_000 },
    { at: '60s', op: 'crash', target: { random: 1 } }
  ]
}
