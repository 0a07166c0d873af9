import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { EventLog } from '../../src/event-log.ts'
import type { PeerEvent } from '../../src/events.ts'

/** The bounded, numbered event log: ids survive the ring's wrap, readers page through what is held. */
describe('event log', () => {
  const data: PeerEvent = { peer: 'p', name: 'p', from: 'alive', to: 'suspect', incarnation: 1, reason: 'r', observedBySelf: true, atMs: 0 }

  test('before and after the ring wraps: firstId, lastId and after() give exactly the held events, oldest first', () => {
    const log = new EventLog(5)
    assert.deepEqual([log.firstId, log.lastId, log.after(0, 10).length], [1, 0, 0])
    for (let i = 0; i < 3; i++) log.append('peer:suspected', i, data)
    assert.deepEqual(log.after(0, 10).map((e) => e.id), [1, 2, 3])
    assert.deepEqual([log.firstId, log.lastId], [1, 3])
    for (let i = 3; i < 12; i++) log.append('peer:suspected', i, data)
    assert.deepEqual([log.firstId, log.lastId], [8, 12])
    assert.deepEqual(log.after(0, 10).map((e) => e.id), [8, 9, 10, 11, 12], 'a reader that fell behind starts at the oldest held')
    assert.deepEqual(log.after(9, 2).map((e) => e.id), [10, 11], 'a page')
    assert.deepEqual(log.after(12, 10), [], 'nothing newer')
    assert.deepEqual(log.after(8, 0), [], 'limit 0')
    assert.deepEqual(log.after(0, 10).map((e) => e.atMs), [7, 8, 9, 10, 11])
  })

  test('subscribers see every append, in order', () => {
    const log = new EventLog(2)
    const seen: number[] = []
    const off = log.subscribe((e) => seen.push(e.id))
    for (let i = 0; i < 4; i++) log.append('peer:suspected', i, data)
    off()
    log.append('peer:suspected', 9, data)
    assert.deepEqual(seen, [1, 2, 3, 4])
    assert.equal(log.subscribers, 0)
  })
})
