import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { encodeMessage, type WireMessage } from '../../src/transport/codec.ts'
import { MessageValidator } from '../../src/transport/message-validator.ts'
import { SenderRateLimit } from '../../src/transport/sender-rate-limit.ts'
import { eventsTopic, heartbeatTopic } from '../../src/transport/topics.ts'

/** The per-sender budget for alerting and force-leave messages, in the gossip validator, on a hand-moved clock. */
const cluster = 'c1'
const alerting = (sender: string, seq: number): WireMessage =>
  ({ type: 'alerting', cluster, sender, incarnation: 1, seq, marks: [{ fingerprint: 'ab', status: 'firing', atMs: 1 }], silences: [] })
const forceLeave = (sender: string, seq: number): WireMessage => ({ type: 'force-leave', cluster, sender, incarnation: 1, seq, subject: 'x', subjectIncarnation: 1 })

describe('alerting rate limit', () => {
  test('a token bucket: a burst, then the refill rate; buckets bounded by sendersMax', () => {
    let now = 0
    const limit = new SenderRateLimit({ perSecond: 10, burst: 20, sendersMax: 3, now: () => now })
    let passed = 0
    for (let i = 0; i < 100; i++) if (limit.take('a')) passed++
    assert.equal(passed, 20, 'the burst')
    now += 1000
    passed = 0
    for (let i = 0; i < 100; i++) if (limit.take('a')) passed++
    assert.equal(passed, 10, 'one second of refill')
    now += 60_000
    passed = 0
    for (let i = 0; i < 100; i++) if (limit.take('a')) passed++
    assert.equal(passed, 20, 'refill never exceeds the burst')
    for (const s of ['b', 'c', 'd', 'e']) limit.take(s)
    assert.equal(limit.size, 3, 'least recently used senders forgotten')
  })

  test('the validator ignores (does not forward) alerting and force-leave messages past a sender\'s budget, counts them, and leaves other senders and types alone', () => {
    let now = 1_000_000
    const v = new MessageValidator({ cluster, messageBytesMax: 4096, sendersMax: 100, rateLimits: { alerting: { perSecond: 10, burst: 20 }, now: () => now } })
    const topic = eventsTopic(cluster)
    const send = (m: WireMessage) => v.validate({ topic, from: m.sender, data: encodeMessage(m) })
    let seq = 0
    const results: string[] = []
    for (let i = 0; i < 30; i++) results.push(send(i % 2 === 0 ? alerting('mallory', seq++) : forceLeave('mallory', seq++)))
    assert.equal(results.filter((r) => r === 'accept').length, 20)
    assert.ok(results.slice(20).every((r) => r === 'ignore'), 'ignored, so gossipsub neither forwards nor penalises the forwarder')
    assert.equal(v.dropped['rate-limited'], 10)
    assert.equal(send(alerting('honest', 0)), 'accept', 'another sender has its own budget')
    assert.equal(send({ type: 'verdict', cluster, sender: 'mallory', incarnation: 1, seq: seq++, subject: 's', subjectIncarnation: 1, state: 'alive', subjectStatus: 'healthy' }), 'accept', 'verdicts are not alerting')
    assert.equal(v.validate({ topic: heartbeatTopic(cluster, 'mallory'), from: 'mallory', data: encodeMessage({ type: 'heartbeat', cluster, sender: 'mallory', incarnation: 1, seq: 0, health: { status: 'healthy', checksFailing: 0 } }) }), 'accept')
    now += 500
    assert.equal(send(alerting('mallory', seq)), 'accept', 'half a second refills five')
    assert.equal(v.dropped['rate-limited'], 10)
  })

  test('a replay costs no token: it is dropped as a replay first', () => {
    const v = new MessageValidator({ cluster, messageBytesMax: 4096, sendersMax: 100, rateLimits: { alerting: { perSecond: 1, burst: 1 }, now: () => 0 } })
    const msg = { topic: eventsTopic(cluster), from: 'a', data: encodeMessage(alerting('a', 1)) }
    assert.equal(v.validate(msg), 'accept')
    assert.equal(v.validate(msg), 'ignore')
    assert.deepEqual([v.dropped.replay, v.dropped['rate-limited']], [1, 0])
  })

  test('alerting and force-leave belong on the events topic only', () => {
    const v = new MessageValidator({ cluster, messageBytesMax: 4096, sendersMax: 100 })
    assert.equal(v.validate({ topic: heartbeatTopic(cluster, 'a'), from: 'a', data: encodeMessage(alerting('a', 1)) }), 'reject')
    assert.equal(v.validate({ topic: heartbeatTopic(cluster, 'a'), from: 'a', data: encodeMessage(forceLeave('a', 2)) }), 'reject')
    assert.equal(v.dropped['wrong-topic'], 2)
  })
})
