import type { Scenario } from '../../src/sim/scenario.ts'

/** Stop-the-world pauses (a GC stall, SIGSTOP) of 3 s, on 2 % of the nodes at a time, three waves. */
export const scenario: Scenario = {
  name: 'pause-3s',
  description: '3 s pauses on three waves of 2 % of the nodes (at 30 s, 60 s, 90 s)',
  defaults: { nodes: 100, duration: '3m' },
  steps: [
    { at: '30s', op: 'pause', target: { fraction: 0.02 }, for: '3s' },
    { at: '60s', op: 'pause', target: { fraction: 0.02 }, for: '3s' },
    { at: '90s', op: 'pause', target: { fraction: 0.02 }, for: '3s' }
  ]
}
