import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { encodeMessage, type WireMessage } from '../../src/transport/codec.ts'
import { MessageValidator } from '../../src/transport/message-validator.ts'
import { ReplayWindow } from '../../src/transport/replay-window.ts'
import { eventsTopic, heartbeatTopic } from '../../src/transport/topics.ts'

const cluster = 'c1'
const hb = (sender: string, seq: number, incarnation = 1): WireMessage =>
  ({ type: 'heartbeat', cluster, sender, incarnation, seq, health: { status: 'healthy', checksFailing: 0 } })

describe('message validator', () => {
  const make = () => new MessageValidator({ cluster, messageBytesMax: 1024, sendersMax: 100 })

  test('accepts a well-formed heartbeat on its sender topic and hands back the decoded form', () => {
    const v = make()
    const msg = { topic: heartbeatTopic(cluster, 'a'), from: 'a', data: encodeMessage(hb('a', 1)) }
    assert.equal(v.validate(msg), 'accept')
    assert.equal(v.messageOf(msg)?.type, 'heartbeat')
    assert.equal(v.accepted, 1)
  })

  const cases: [string, () => { topic: string; from: string; data: Uint8Array }, 'reject' | 'ignore', string][] = [
    ['oversize', () => ({ topic: eventsTopic(cluster), from: 'a', data: new Uint8Array(2000) }), 'reject', 'too-large'],
    ['undecodable', () => ({ topic: eventsTopic(cluster), from: 'a', data: new Uint8Array([0xc1]) }), 'reject', 'malformed'],
    ['another cluster', () => ({ topic: heartbeatTopic(cluster, 'a'), from: 'a', data: encodeMessage({ ...hb('a', 1), cluster: 'other' }) }), 'reject', 'cluster'],
    ['a forged sender', () => ({ topic: heartbeatTopic(cluster, 'a'), from: 'mallory', data: encodeMessage(hb('a', 1)) }), 'reject', 'sender-mismatch'],
    ['a heartbeat on someone else\'s topic', () => ({ topic: heartbeatTopic(cluster, 'b'), from: 'a', data: encodeMessage(hb('a', 1)) }), 'reject', 'wrong-topic'],
    ['a verdict on a heartbeat topic', () => ({ topic: heartbeatTopic(cluster, 'a'), from: 'a', data: encodeMessage({ type: 'leave', cluster, sender: 'a', incarnation: 1, seq: 1 }) }), 'reject', 'wrong-topic'],
    ['a digest on gossip', () => ({ topic: eventsTopic(cluster), from: 'a', data: encodeMessage({ type: 'digest', cluster, sender: 'a', incarnation: 1, seq: 1, members: [] }) }), 'reject', 'wrong-topic']
  ]
  for (const [what, msg, result, reason] of cases) {
    test(`${result}s ${what} and counts it as ${reason}`, () => {
      const v = make()
      assert.equal(v.validate(msg()), result)
      assert.equal(v.dropped[reason as keyof typeof v.dropped], 1)
    })
  }

  test('ignores replays and older incarnations, accepts small reorders', () => {
    const v = make()
    const topic = heartbeatTopic(cluster, 'a')
    const send = (seq: number, inc = 1) => v.validate({ topic, from: 'a', data: encodeMessage(hb('a', seq, inc)) })
    assert.equal(send(10), 'accept')
    assert.equal(send(10), 'ignore')
    assert.equal(send(8), 'accept')
    assert.equal(send(8), 'ignore')
    assert.equal(send(0, 2), 'accept')
    assert.equal(send(11, 1), 'ignore')
    assert.equal(v.dropped.replay, 2)
    assert.equal(v.dropped['stale-incarnation'], 1)
  })
})

describe('replay window', () => {
  test('rejects what it has seen within 64, and anything older than the window', () => {
    const w = new ReplayWindow(10)
    assert.equal(w.check('a', 1, 100), 'new')
    assert.equal(w.check('a', 1, 37), 'new')
    assert.equal(w.check('a', 1, 36), 'replay')
    assert.equal(w.check('a', 1, 37), 'replay')
    assert.equal(w.check('a', 1, 200), 'new')
    assert.equal(w.check('a', 1, 100), 'replay')
  })

  test('tracks at most sendersMax senders, forgetting the least recently seen', () => {
    const w = new ReplayWindow(3)
    for (const s of ['a', 'b', 'c']) w.check(s, 1, 1)
    w.check('a', 1, 2)
    w.check('d', 1, 1)
    assert.equal(w.size, 3)
    assert.equal(w.check('b', 1, 1), 'new')
    assert.equal(w.check('a', 1, 2), 'replay')
  })
})
