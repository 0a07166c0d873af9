import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'

/**
 * The virtual clock's timer heap against a reference: whatever mix of timeouts, intervals and
 * cancellations, timers fire in (deadline, scheduling order) order, each interval once per
 * period, cancelled ones never. The simulator's determinism rests on this order.
 */
type Op = { kind: 'timeout'; delayMs: number } | { kind: 'interval'; periodMs: number } | { kind: 'cancel'; index: number }

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('timeout' as const), delayMs: fc.integer({ min: 0, max: 50 }) }),
  fc.record({ kind: fc.constant('interval' as const), periodMs: fc.integer({ min: 1, max: 30 }) }),
  fc.record({ kind: fc.constant('cancel' as const), index: fc.nat({ max: 200 }) })
)

describe('VirtualClock', () => {
  test('fires in deadline order, ties in scheduling order, cancelled never', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 1, max: 120 }), (ops, horizonMs) => {
      const clock = new VirtualClock(0)
      const fired: string[] = []
      const timers: { cancel(): void }[] = []
      const live: { id: number; dueMs: number; periodMs: number | undefined; order: number; cancelled: boolean }[] = []
      let order = 0
      ops.forEach((o, id) => {
        if (o.kind === 'timeout') {
          timers.push(clock.setTimeout(() => fired.push(`${id}@${clock.now()}`), o.delayMs))
          live.push({ id, dueMs: o.delayMs, periodMs: undefined, order: order++, cancelled: false })
        } else if (o.kind === 'interval') {
          timers.push(clock.setInterval(() => fired.push(`${id}@${clock.now()}`), o.periodMs))
          live.push({ id, dueMs: o.periodMs, periodMs: o.periodMs, order: order++, cancelled: false })
        } else if (timers.length > 0) {
          const i = o.index % timers.length
          timers[i]!.cancel()
          live[i]!.cancelled = true
        }
      })
      clock.advanceTo(horizonMs)
      // Reference: repeatedly take the smallest (dueMs, order) among live timers.
      const expected: string[] = []
      for (let guard = 0; guard < 100_000; guard++) {
        let best: (typeof live)[number] | undefined
        for (const t of live) if (!t.cancelled && t.dueMs <= horizonMs && (best === undefined || t.dueMs < best.dueMs || (t.dueMs === best.dueMs && t.order < best.order))) best = t
        if (best === undefined) break
        expected.push(`${best.id}@${best.dueMs}`)
        if (best.periodMs === undefined) best.cancelled = true
        else {
          best.dueMs += best.periodMs
          best.order = order++
        }
      }
      assert.deepEqual(fired, expected)
      assert.equal(clock.now(), horizonMs)
    }), { numRuns: 300 })
  })
})
