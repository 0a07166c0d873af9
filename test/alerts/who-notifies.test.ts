import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { whoNotifies, type WhoNotifiesInput } from '../../src/alerts/who-notifies.ts'
import { buildObserverRings } from '../../src/membership/rings.ts'

const T = 1_000_000
const base = (over: Partial<WhoNotifiesInput>): WhoNotifiesInput => ({
  self: 'o1', subject: { kind: 'peer', id: 's' }, observers: ['o1', 'o2', 'o3'], isLive: () => true, marks: [], dueSinceMs: T, nowMs: T, handoverDelayMs: 30_000, ...over
})

describe('who notifies', () => {
  test('own alerts notify from this node; a non-observer never notifies', () => {
    assert.deepEqual(whoNotifies(base({ subject: { kind: 'self' } })), { notify: true, position: 0 })
    assert.deepEqual(whoNotifies(base({ self: 'x' })), { notify: false, reason: 'not-an-observer' })
  })

  test('the first live observer notifies at once; the next ones wait one handover delay per position', () => {
    assert.equal(whoNotifies(base({})).notify, true)
    assert.deepEqual(whoNotifies(base({ self: 'o2' })), { notify: false, reason: 'waiting-for-handover', retryAtMs: T + 30_000 })
    assert.equal(whoNotifies(base({ self: 'o2', nowMs: T + 30_000 })).notify, true)
    assert.deepEqual(whoNotifies(base({ self: 'o3', nowMs: T + 30_000 })), { notify: false, reason: 'waiting-for-handover', retryAtMs: T + 60_000 })
  })

  test('a dead first observer hands over at once; a mark from anyone stops the others', () => {
    assert.equal(whoNotifies(base({ self: 'o2', isLive: (id) => id !== 'o1' })).notify, true)
    const marked = whoNotifies(base({ self: 'o2', nowMs: T + 60_000, marks: [{ fingerprint: 'f', status: 'firing', by: 'o1', atMs: T + 1 }] }))
    assert.deepEqual(marked, { notify: false, reason: 'notified-by-other', by: 'o1' })
    // an old mark (an earlier episode) does not count
    assert.equal(whoNotifies(base({ self: 'o2', nowMs: T + 60_000, marks: [{ fingerprint: 'f', status: 'firing', by: 'o1', atMs: T - 1 }] })).notify, true)
  })

  test('with the real rings, exactly one of all agents notifies at any time before the handover', () => {
    const members = Array.from({ length: 12 }, (_, i) => `node-${i}`)
    const rings = buildObserverRings({ k: 4, live: members.filter((m) => m !== 'node-5'), all: members })
    const observers = rings.observersOf('node-5')
    const deciders = members.filter((m) => m !== 'node-5' && whoNotifies(base({ self: m, subject: { kind: 'peer', id: 'node-5' }, observers, isLive: (id) => id !== 'node-5' })).notify)
    assert.deepEqual(deciders, [observers[0]])
  })
})
