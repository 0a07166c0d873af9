import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { encodeMessage, type WireMessage } from '../../src/transport/codec.ts'
import { MessageValidator } from '../../src/transport/message-validator.ts'
import { HEARTBEAT_BURST, rateClassOf, receiveBudgets } from '../../src/transport/receive-budgets.ts'
import { eventsTopic, heartbeatTopic } from '../../src/transport/topics.ts'

/**
 * The per-sender receive budgets for heartbeats and membership messages, in the gossip
 * validator, on a hand-moved clock: what an honest member sends always passes, a flood from one
 * member is cut to its budget and counted by class, and other senders keep theirs.
 */
const cluster = 'c1'
const intervalMs = 1000
const k = 8

function validator(clock: { now: number }, sendersMax = 100): MessageValidator {
  return new MessageValidator({ cluster, messageBytesMax: 4096, sendersMax, rateLimits: { ...receiveBudgets({ heartbeatIntervalMs: intervalMs, observersPerSubject: k }), now: () => clock.now } })
}

const heartbeat = (sender: string, seq: number): WireMessage => ({ type: 'heartbeat', cluster, sender, incarnation: 1, seq, health: { status: 'healthy', checksFailing: 0 } })
const verdict = (sender: string, seq: number, subject = 's'): WireMessage =>
  ({ type: 'verdict', cluster, sender, incarnation: 1, seq, subject, subjectIncarnation: 1, state: 'suspect', subjectStatus: 'healthy' })

function sendHeartbeat(v: MessageValidator, m: WireMessage): string {
  return v.validate({ topic: heartbeatTopic(cluster, m.sender), from: m.sender, data: encodeMessage(m) })
}
function sendEvent(v: MessageValidator, m: WireMessage): string {
  return v.validate({ topic: eventsTopic(cluster), from: m.sender, data: encodeMessage(m) })
}

describe('receive rate limits', () => {
  test('budgets follow the heartbeat interval and k', () => {
    const b = receiveBudgets({ heartbeatIntervalMs: 250, observersPerSubject: 4 })
    assert.deepEqual(b.heartbeat, { perSecond: 8, burst: HEARTBEAT_BURST })
    assert.deepEqual(b.membership, { perSecond: 64, burst: 24 })
    assert.equal(rateClassOf('record'), 'membership')
    assert.equal(rateClassOf('force-leave'), 'alerting')
    assert.equal(rateClassOf('signed-digest'), undefined, 'digests never come by gossip')
  })

  test('an honest member\'s heartbeats all pass for 10 virtual minutes, including the ones a receiver finds queued after a 9 s stall', () => {
    const clock = { now: 1_000_000 }
    const v = validator(clock)
    let seq = 0
    for (let i = 0; i < 600; i++) {
      assert.equal(sendHeartbeat(v, heartbeat('honest', seq++)), 'accept', `beat ${i}`)
      clock.now += intervalMs + (i % 7 === 0 ? 300 : -100) // jitter either way
    }
    clock.now += 9000 // the receiver stalls: nine beats wait in its socket, then arrive at once
    for (let i = 0; i < 9; i++) assert.equal(sendHeartbeat(v, heartbeat('honest', seq++)), 'accept')
    assert.equal(v.dropped['rate-limited'], 0)
  })

  test('a heartbeat flood from one member is cut to its budget and counted; another member\'s heartbeats pass meanwhile', () => {
    const clock = { now: 1_000_000 }
    const v = validator(clock)
    let seq = 0
    let accepted = 0
    for (let ms = 0; ms < 10_000; ms += 10) { // 100 a second for 10 s
      if (sendHeartbeat(v, heartbeat('mallory', seq++)) === 'accept') accepted++
      if (ms % intervalMs === 0) assert.equal(sendHeartbeat(v, heartbeat('honest', ms / intervalMs)), 'accept')
      clock.now += 10
    }
    // The burst, then 2 per interval.
    assert.ok(accepted >= HEARTBEAT_BURST + 19 && accepted <= HEARTBEAT_BURST + 21, `accepted ${accepted}`)
    assert.equal(v.rateLimited.heartbeat, 1000 - accepted)
    assert.equal(v.dropped['rate-limited'], 1000 - accepted)
    assert.equal(v.rateLimited.membership, 0)
  })

  test('the worst honest membership burst passes (every subject suspect, then dead, and a record); a verdict flood is cut and counted', () => {
    const clock = { now: 1_000_000 }
    const v = validator(clock)
    let seq = 0
    for (let i = 0; i < 2 * k; i++) assert.equal(sendEvent(v, verdict('honest', seq++, `s${i % k}`)), 'accept')
    clock.now += intervalMs
    for (let i = 0; i < 2 * k; i++) assert.equal(sendEvent(v, verdict('honest', seq++, `s${i % k}`)), 'accept')
    assert.equal(v.rateLimited.membership, 0)
    const burst = receiveBudgets({ heartbeatIntervalMs: intervalMs, observersPerSubject: k }).membership.burst
    let accepted = 0
    for (let i = 0; i < 500; i++) if (sendEvent(v, verdict('mallory', i)) === 'accept') accepted++
    assert.equal(accepted, burst)
    assert.equal(v.rateLimited.membership, 500 - burst)
    assert.equal(sendEvent(v, verdict('honest', seq)), 'accept', 'another sender has its own budget')
  })

  test('bucket memory is bounded by sendersMax however many senders there are', () => {
    const clock = { now: 0 }
    const v = validator(clock, 50)
    for (let i = 0; i < 5000; i++) sendHeartbeat(v, heartbeat(`sender-${i}`, 0))
    assert.equal(v.rateLimitedSenders, 50)
    for (let i = 0; i < 5000; i++) sendEvent(v, verdict(`sender-${i}`, 1))
    assert.equal(v.rateLimitedSenders, 100, '50 per class')
  })
})
