import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { Mailbox } from '../../src/actors/index.ts'

describe('Mailbox', () => {
  const bounds: { capacity: number; offered: number; accepted: number; dropped: number }[] = [
    { capacity: 1, offered: 1, accepted: 1, dropped: 0 },
    { capacity: 1, offered: 3, accepted: 1, dropped: 2 },
    { capacity: 4, offered: 4, accepted: 4, dropped: 0 },
    { capacity: 4, offered: 10, accepted: 4, dropped: 6 },
    { capacity: 256, offered: 1000, accepted: 256, dropped: 744 }
  ]
  for (const row of bounds) {
    test(`capacity ${row.capacity}, ${row.offered} offered: ${row.accepted} kept, ${row.dropped} dropped`, () => {
      const box = new Mailbox<number>(row.capacity)
      const results = Array.from({ length: row.offered }, (_, i) => box.offer(i))
      assert.equal(results.filter(Boolean).length, row.accepted)
      assert.deepEqual(results.slice(row.accepted), Array(row.offered - row.accepted).fill(false))
      assert.equal(box.length, row.accepted)
      assert.equal(box.dropped, row.dropped)
      // The newest are refused, so the oldest are what remain, in order.
      assert.deepEqual(Array.from({ length: row.accepted }, () => box.take()), Array.from({ length: row.accepted }, (_, i) => i))
      assert.equal(box.take(), undefined)
      assert.equal(box.length, 0)
    })
  }

  test('FIFO across wrap-around, room freed by take() is reusable', () => {
    const box = new Mailbox<string>(3)
    const out: (string | undefined)[] = []
    for (const m of ['a', 'b', 'c']) box.offer(m)
    out.push(box.take(), box.take())
    for (const m of ['d', 'e']) assert.equal(box.offer(m), true)
    assert.equal(box.offer('f'), false)
    while (box.length > 0) out.push(box.take())
    assert.deepEqual(out, ['a', 'b', 'c', 'd', 'e'])
    assert.equal(box.dropped, 1)
  })

  test('clear() discards and counts the queued messages', () => {
    const box = new Mailbox<number>(5)
    for (let i = 0; i < 3; i++) box.offer(i)
    assert.equal(box.clear(), 3)
    assert.equal(box.length, 0)
    assert.equal(box.dropped, 3)
    assert.equal(box.offer(9), true)
    assert.equal(box.take(), 9)
  })

  test('rejects a capacity that is not a positive integer', () => {
    for (const capacity of [0, -1, 1.5, Number.NaN]) assert.throws(() => new Mailbox(capacity), RangeError)
  })

  test('property: behaves like a bounded array queue', () => {
    const op = fc.oneof(fc.record({ offer: fc.integer() }), fc.constant({ take: true as const }))
    fc.assert(fc.property(fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 200 }), (capacity, ops) => {
      const box = new Mailbox<number>(capacity)
      const model: number[] = []
      let dropped = 0
      for (const o of ops) {
        if ('offer' in o) {
          const room = model.length < capacity
          if (box.offer(o.offer) !== room) return false
          if (room) model.push(o.offer)
          else dropped++
        } else if (box.take() !== model.shift()) {
          return false
        }
        if (box.length !== model.length || box.dropped !== dropped) return false
      }
      return true
    }), { seed: 3, numRuns: 300 })
  })
})
