import type { Scenario } from '../../src/sim/scenario.ts'

/** Clogged links: everything to one node is held (queued, not lost) for 10 s, then delivered in a burst. */
export const scenario: Scenario = {
  name: 'clogged-link',
  description: 'all links into one node are clogged for 10 s at 30 s (messages held, then delivered), heal at 90 s',
  defaults: { nodes: 100, duration: '3m' },
  steps: [
    { at: '30s', op: 'clog', from: { all: true }, to: { random: 1 }, for: '10s' },
    { at: '90s', op: 'heal-all' }
  ]
}
