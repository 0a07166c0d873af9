import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createPeerState, stepPeer, suspectAtMs, type PeerInput, type PeerState, type PeerStateOptions } from '../../src/detector/peer-state.ts'

const options: PeerStateOptions = {
  phi: { windowSamplesMax: 100, minStdDevMs: 100, acceptableHeartbeatPauseMs: 0, firstHeartbeatEstimateMs: 1000 },
  phiSuspectThreshold: 8,
  suspicionTimeoutMs: 3000,
  suspicionTimeoutMsMin: 500,
  firstHeartbeatGraceMs: 2000
}
const health = { status: 'healthy' as const, checksFailing: 0 }

/** Feeds heartbeats every `periodMs` from t0, returns the state after the last one. */
function beating(count: number, t0 = 0, periodMs = 1000, incarnation = 1): PeerState {
  let s = createPeerState(incarnation, t0, options)
  for (let i = 0; i < count; i++) s = stepPeer(s, { type: 'heartbeat', incarnation, seq: i, health, nowMs: t0 + i * periodMs }, options).state
  return s
}

function run(s: PeerState, inputs: PeerInput[]) {
  const transitions: string[] = []
  for (const input of inputs) {
    const step = stepPeer(s, input, options)
    s = step.state
    for (const e of step.effects) if (e.type === 'transition') transitions.push(`${e.from}->${e.to}`)
  }
  return { s, transitions }
}

const check = (nowMs: number, extra: Partial<Extract<PeerInput, { type: 'check' }>> = {}): PeerInput =>
  ({ type: 'check', nowMs, multiplier: 1, withholdDead: false, hold: false, ...extra })

describe('peer state machine', () => {
  test('steady heartbeats keep the subject alive; the next check is scheduled after the phi margin', () => {
    const s = beating(10)
    const step = stepPeer(s, check(9500), options)
    assert.equal(step.state.state, 'alive')
    assert.ok(step.wakeAtMs! > 9000 + 1000 && step.wakeAtMs! < 9000 + 2000, `wake at ${step.wakeAtMs}`)
  })

  test('silence: alive -> suspect at the phi threshold, with a probe, then dead after the suspicion timeout', () => {
    const s0 = beating(10)
    const suspectAt = suspectAtMs(s0, 1, options)
    assert.equal(stepPeer(s0, check(suspectAt - 1), options).state.state, 'alive')
    const suspect = stepPeer(s0, check(suspectAt), options)
    assert.equal(suspect.state.state, 'suspect')
    assert.ok(suspect.effects.some((e) => e.type === 'probe'))
    assert.equal(suspect.state.failureCount, 1)
    assert.equal(suspect.wakeAtMs, suspectAt + 3000)
    const { s, transitions } = run(suspect.state, [check(suspectAt + 2999), check(suspectAt + 3000)])
    assert.equal(s.state, 'dead')
    assert.deepEqual(transitions, ['suspect->dead'])
  })

  test('a refused probe shortens the suspicion to the minimum', () => {
    const s0 = beating(10)
    const at = suspectAtMs(s0, 1, options)
    const { s } = run(s0, [check(at), { type: 'probe-result', ok: false, reason: 'refused', incarnation: 1, nowMs: at + 5 }, check(at + 500)])
    assert.equal(s.state, 'dead')
  })

  test('a successful probe keeps a suspect from dying and probes again', () => {
    const s0 = beating(10)
    const at = suspectAtMs(s0, 1, options)
    const a = run(s0, [check(at), { type: 'probe-result', ok: true, incarnation: 1, nowMs: at + 10 }])
    const step = stepPeer(a.s, check(at + 3010), options)
    assert.equal(step.state.state, 'suspect')
    assert.ok(step.effects.some((e) => e.type === 'probe'))
  })

  test('a heartbeat of the same incarnation brings suspect and dead back to alive', () => {
    const s0 = beating(10)
    const at = suspectAtMs(s0, 1, options)
    const { s, transitions } = run(s0, [check(at), check(at + 3000), { type: 'heartbeat', incarnation: 1, seq: 10, health, nowMs: at + 3100 }])
    assert.equal(s.state, 'alive')
    assert.deepEqual(transitions, ['alive->suspect', 'suspect->dead', 'dead->alive'])
  })

  test('replayed or older heartbeats and older incarnations are ignored', () => {
    const s0 = beating(5)
    const { s } = run(s0, [
      { type: 'heartbeat', incarnation: 1, seq: 2, health, nowMs: 5000 },
      { type: 'heartbeat', incarnation: 0, seq: 99, health, nowMs: 5000 }
    ])
    assert.equal(s.lastSeq, 4)
    assert.equal(s.incarnation, 1)
  })

  test('a higher incarnation (restart or refutation) resets the detector and revives a dead subject', () => {
    const s0 = beating(10)
    const at = suspectAtMs(s0, 1, options)
    const dead = run(s0, [check(at), check(at + 3000)]).s
    const { s, transitions } = run(dead, [{ type: 'heartbeat', incarnation: 2, seq: 0, health, nowMs: at + 10_000 }])
    assert.equal(s.state, 'alive')
    assert.equal(s.incarnation, 2)
    assert.equal(s.lastSeq, 0)
    assert.deepEqual(transitions, ['dead->alive'])
  })

  test('leave is final for its incarnation; a join with a higher one brings the peer back', () => {
    const s0 = beating(3)
    const left = run(s0, [{ type: 'leave', incarnation: 1, nowMs: 3000 }, { type: 'heartbeat', incarnation: 1, seq: 5, health, nowMs: 3500 }, check(60_000)])
    assert.equal(left.s.state, 'left')
    assert.deepEqual(left.transitions, ['alive->left'])
    const back = run(left.s, [{ type: 'join', incarnation: 2, nowMs: 70_000 }])
    assert.equal(back.s.state, 'alive')
    assert.equal(back.s.incarnation, 2)
  })

  test('a subject never heard from is suspected after the phi margin plus the first-heartbeat grace', () => {
    const s0 = createPeerState(1, 0, options)
    const at = suspectAtMs(s0, 1, options)
    assert.ok(at > 2000, `first suspicion at ${at}`)
    assert.equal(stepPeer(s0, check(at - 1), options).state.state, 'alive')
    assert.equal(stepPeer(s0, check(at), options).state.state, 'suspect')
  })

  test('local health awareness: the multiplier stretches timeouts, withholdDead keeps suspects alive, hold defers all', () => {
    const s0 = beating(10)
    const at = suspectAtMs(s0, 1, options)
    assert.equal(stepPeer(s0, check(at, { multiplier: 2 }), options).state.state, 'alive')
    assert.equal(stepPeer(s0, check(at, { hold: true }), options).state.state, 'alive')
    const suspect = stepPeer(s0, check(at), options).state
    assert.equal(stepPeer(suspect, check(at + 10_000, { withholdDead: true }), options).state.state, 'suspect')
    assert.equal(stepPeer(suspect, check(at + 3000, { multiplier: 2 }), options).state.state, 'suspect')
    assert.equal(stepPeer(suspect, check(at + 6000, { multiplier: 2 }), options).state.state, 'dead')
  })

  test('timing with defaults: suspect about 1.5 s and dead about 4.5 s after the last heartbeat', () => {
    const s0 = beating(20)
    const last = 19_000
    const at = suspectAtMs(s0, 1, options)
    assert.ok(at - last > 1400 && at - last < 1700, `suspect ${at - last} ms after the last heartbeat`)
  })
})
