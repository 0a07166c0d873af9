import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { AlertingGossip } from '../../src/node/alerting-gossip.ts'
import { ForceLeaveSpread } from '../../src/node/force-leave-spread.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'

/**
 * The timers of cluster-wide alerting and force-leave spreading, on a VirtualClock: nothing is
 * scheduled (and no randomness drawn) until there is something to spread, which is why the
 * simulator's traces do not move; and what is spread is bounded per round.
 */
function spread(clock: VirtualClock, forceLeft: Set<string>) {
  const sent: string[] = []
  let draws = 0
  const random = seededRandom(1)
  const s = new ForceLeaveSpread({
    clock,
    random: { ...random, next: () => { draws++; return random.next() } },
    stillForceLeft: (id) => forceLeft.has(id),
    incarnationOf: (id) => (forceLeft.has(id) ? 3 : undefined),
    publish: (subject) => sent.push(subject),
    isRunning: () => true
  })
  return { s, sent, draws: () => draws }
}

describe('force-leave spreading and alerting timers', () => {
  test('no force-left member: joins schedule nothing and draw no randomness', () => {
    const clock = new VirtualClock()
    const { s, draws } = spread(clock, new Set())
    for (let i = 0; i < 100; i++) s.memberJoined()
    assert.equal(clock.pending, 0)
    assert.equal(draws(), 0)
  })

  test('force-leaves are resent soon after being taken, then periodically, 8 per round, until none is force-left', () => {
    const clock = new VirtualClock()
    const forceLeft = new Set(Array.from({ length: 20 }, (_, i) => `m${i}`))
    const { s, sent } = spread(clock, forceLeft)
    for (const id of forceLeft) s.taken(id)
    assert.equal(clock.pending, 1, 'one timer, however many were taken')
    clock.advance(4500)
    assert.equal(sent.length, 8, 'the first round within 3-4.5 s, bounded')
    clock.advance(70_000)
    assert.equal(sent.length, 16, 'the next within 45-67.5 s')
    clock.advance(70_000)
    assert.deepEqual(new Set(sent).size, 20, 'rotating: every subject is resent')
    forceLeft.clear() // all came back or were reaped
    clock.advance(70_000)
    const after = sent.length
    clock.advance(10 * 70_000)
    assert.equal(sent.length, after, 'nothing more')
    assert.equal(clock.pending, 0, 'and no timer left')
    assert.equal(s.tracked, 0)
  })

  test('a join brings the next round forward, never later', () => {
    const clock = new VirtualClock()
    const { s, sent } = spread(clock, new Set(['m']))
    s.taken('m')
    clock.advance(4500)
    assert.equal(sent.length, 1)
    s.memberJoined()
    clock.advance(22_500)
    assert.equal(sent.length, 2, 'within 15-22.5 s of the join')
  })

  test('alerting gossip without a snapshot provider or publishes schedules nothing', () => {
    const clock = new VirtualClock()
    let draws = 0
    const g = new AlertingGossip({
      selfId: 'a', clock, random: { ...seededRandom(1), next: () => { draws++; return 0.5 } }, logger: silentLogger(), messageBytesMax: 65_536,
      header: () => ({ cluster: 'c', sender: 'a', incarnation: 1, seq: 0 }), publish: () => {}, isRunning: () => true
    })
    g.start()
    for (let i = 0; i < 10; i++) g.memberJoined()
    g.publish({})
    assert.equal(clock.pending, 0)
    assert.equal(draws, 0)
  })
})
