import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createPeerState, stepPeer, suspectAtMs, type PeerInput, type PeerState, type PeerStateOptions } from '../../src/detector/peer-state.ts'

const options: PeerStateOptions = {
  phi: { windowSamplesMax: 100, minStdDevMs: 100, acceptableHeartbeatPauseMs: 0, firstHeartbeatEstimateMs: 1000 },
  phiSuspectThreshold: 8,
  suspicionTimeoutMs: 3000,
  suspicionTimeoutMsMin: 500,
  firstHeartbeatGraceMs: 2000,
  probeWaitMs: 1250,
  probeRetryMs: 1000,
  okProbesMax: 2
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
  let probes = 0
  for (const input of inputs) {
    const step = stepPeer(s, input, options)
    s = step.state
    for (const e of step.effects) {
      if (e.type === 'transition') transitions.push(`${e.from}->${e.to}`)
      else probes++
    }
  }
  return { s, transitions, probes }
}

const check = (nowMs: number, extra: Partial<Extract<PeerInput, { type: 'check' }>> = {}): PeerInput =>
  ({ type: 'check', nowMs, multiplier: 1, withholdDead: false, hold: false, ...extra })
const probeResult = (nowMs: number, ok: boolean, reason?: 'refused' | 'timeout'): PeerInput =>
  ok ? { type: 'probe-result', ok: true, incarnation: 1, nowMs } : { type: 'probe-result', ok: false, reason, incarnation: 1, nowMs }

/** A subject that went silent after 10 heartbeats, suspected after an unanswered probe. */
function suspected(): { s: PeerState; at: number } {
  const s0 = beating(10)
  const at = suspectAtMs(s0, 1, options)
  return { s: run(s0, [check(at), probeResult(at + 1000, false, 'timeout')]).s, at: at + 1000 }
}

describe('peer state machine', () => {
  test('steady heartbeats keep the subject alive; the next check is scheduled after the phi margin', () => {
    const s = beating(10)
    const step = stepPeer(s, check(9500), options)
    assert.equal(step.state.state, 'alive')
    assert.ok(step.wakeAtMs! > 9000 + 1000 && step.wakeAtMs! < 9000 + 2000, `wake at ${step.wakeAtMs}`)
  })

  test('silence at the phi threshold first probes; an unanswered probe makes it suspect; dead after the suspicion timeout', () => {
    const s0 = beating(10)
    const at = suspectAtMs(s0, 1, options)
    assert.equal(stepPeer(s0, check(at - 1), options).effects.length, 0)
    const probing = stepPeer(s0, check(at), options)
    assert.equal(probing.state.state, 'alive')
    assert.deepEqual(probing.effects, [{ type: 'probe' }])
    assert.equal(probing.wakeAtMs, at + options.probeWaitMs)
    const suspect = stepPeer(probing.state, probeResult(at + 1000, false, 'timeout'), options)
    assert.equal(suspect.state.state, 'suspect')
    assert.equal(suspect.state.failureCount, 1)
    assert.equal(suspect.wakeAtMs, at + 1000 + 3000)
    const { s, transitions } = run(suspect.state, [check(at + 3999), check(at + 4000)])
    assert.equal(s.state, 'dead')
    assert.deepEqual(transitions, ['suspect->dead'])
  })

  test('a probe whose result never comes counts as unanswered at its deadline', () => {
    const s0 = beating(10)
    const at = suspectAtMs(s0, 1, options)
    const { s, transitions } = run(s0, [check(at), check(at + options.probeWaitMs)])
    assert.equal(s.state, 'suspect')
    assert.deepEqual(transitions, ['alive->suspect'])
  })

  test('a refused probe: suspect at once, dead after the short timeout', () => {
    const s0 = beating(10)
    const at = suspectAtMs(s0, 1, options)
    const { s, transitions } = run(s0, [check(at), probeResult(at + 5, false, 'refused'), check(at + 505)])
    assert.equal(s.state, 'dead')
    assert.deepEqual(transitions, ['alive->suspect', 'suspect->dead'])
  })

  test('an answered probe keeps it alive; after okProbesMax answers without heartbeats it is suspect, never dead while it answers', () => {
    const s0 = beating(10)
    const at = suspectAtMs(s0, 1, options)
    const a = run(s0, [check(at), probeResult(at + 10, true), check(at + 1010), probeResult(at + 1020, true), check(at + 2020)])
    assert.equal(a.s.state, 'suspect')
    assert.equal(a.probes, 2)
    assert.deepEqual(a.transitions, ['alive->suspect'])
    const step = stepPeer(a.s, check(at + 2020 + 3000), options)
    assert.equal(step.state.state, 'suspect')
    assert.ok(step.effects.some((e) => e.type === 'probe'), 'probed again instead of condemned')
  })

  test('a heartbeat during the probe ends it: alive, probe state reset', () => {
    const s0 = beating(10)
    const at = suspectAtMs(s0, 1, options)
    const { s, transitions } = run(s0, [check(at), { type: 'heartbeat', incarnation: 1, seq: 10, health, nowMs: at + 100 }, probeResult(at + 200, false, 'timeout')])
    assert.equal(s.state, 'alive')
    assert.equal(s.probe, 'none')
    assert.deepEqual(transitions, [])
  })

  test('a heartbeat of the same incarnation brings suspect and dead back to alive', () => {
    const { s: suspect, at } = suspected()
    const { s, transitions } = run(suspect, [check(at + 3000), { type: 'heartbeat', incarnation: 1, seq: 10, health, nowMs: at + 3100 }])
    assert.equal(s.state, 'alive')
    assert.deepEqual(transitions, ['suspect->dead', 'dead->alive'])
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
    const { s: suspect, at } = suspected()
    const dead = run(suspect, [check(at + 3000)]).s
    assert.equal(dead.state, 'dead')
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

  test('a subject never heard from is probed after the phi margin plus the first-heartbeat grace', () => {
    const s0 = createPeerState(1, 0, options)
    const at = suspectAtMs(s0, 1, options)
    assert.ok(at > 2000, `first probe at ${at}`)
    assert.equal(stepPeer(s0, check(at - 1), options).effects.length, 0)
    assert.deepEqual(stepPeer(s0, check(at), options).effects, [{ type: 'probe' }])
  })

  test('local health awareness: the multiplier stretches timeouts, withholdDead keeps suspects alive, hold defers all', () => {
    const s0 = beating(10)
    const at = suspectAtMs(s0, 1, options)
    assert.equal(stepPeer(s0, check(at, { multiplier: 2 }), options).effects.length, 0)
    assert.equal(stepPeer(s0, check(at, { hold: true }), options).effects.length, 0)
    const { s: suspect, at: t } = suspected()
    assert.equal(stepPeer(suspect, check(t + 10_000, { withholdDead: true }), options).state.state, 'suspect')
    assert.equal(stepPeer(suspect, check(t + 3000, { multiplier: 2 }), options).state.state, 'suspect')
    assert.equal(stepPeer(suspect, check(t + 6000, { multiplier: 2 }), options).state.state, 'dead')
  })

  test('timing: with a 0 ms acceptable pause the probe starts about 1.5 s after the last heartbeat', () => {
    const s0 = beating(20)
    const last = 19_000
    const at = suspectAtMs(s0, 1, options)
    assert.ok(at - last > 1400 && at - last < 1700, `probe ${at - last} ms after the last heartbeat`)
  })
})

describe('confirmations shorten the suspicion (Lifeguard, memberlist suspicion.go)', () => {
  const confirmed = { ...options, confirmationsMax: 7 }
  /** A subject suspected at t = 10 s after an unanswered probe, then confirmed by `observers` at `at`. */
  function suspectedThenConfirmed(observers: string[], at = 10_100, incarnation = 1): PeerState {
    let s: PeerState = { ...beating(5), state: 'suspect', suspectedAtMs: 10_000, stateSinceMs: 10_000, probe: 'timeout' }
    for (const observer of observers) s = stepPeer(s, { type: 'confirm', observer, incarnation, expected: 7, nowMs: at }, confirmed).state
    return s
  }
  const deadAfter = (s: PeerState): number => {
    for (let t = 10_000; t <= 14_000; t += 10) {
      if (stepPeer(s, check(t), confirmed).effects.some((e) => e.type === 'transition' && e.to === 'dead')) return t - 10_000
    }
    return Infinity
  }

  const table: [string, string[], number][] = [
    ['no confirmation: the full timeout', [], 3000],
    ['one of 7: max - (max - min) log 2 / log 8', ['o1'], 2170],
    ['three of 7', ['o1', 'o2', 'o3'], 1340],
    ['all 7: the minimum', ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7'], 500],
    ['the same observer twice counts once', ['o1', 'o1', 'o1'], 2170]
  ]
  for (const [what, observers, ms] of table) {
    test(what, () => assert.equal(deadAfter(suspectedThenConfirmed(observers)), ms))
  }

  test('confirmations about another incarnation, or older than a timeout before the suspicion, do not count', () => {
    assert.equal(deadAfter(suspectedThenConfirmed(['o1', 'o2'], 10_100, 2)), 3000)
    assert.equal(deadAfter(suspectedThenConfirmed(['o1', 'o2'], 6_000)), 3000)
  })

  test('with a confirmed floor set, all confirmations bring it to that floor, not to the refused-probe minimum', () => {
    const floored = { ...confirmed, suspicionTimeoutMsConfirmedMin: 1250 }
    let s: PeerState = { ...beating(5), state: 'suspect', suspectedAtMs: 10_000, stateSinceMs: 10_000, probe: 'timeout' }
    for (const observer of ['o1', 'o2', 'o3', 'o4', 'o5', 'o6', 'o7']) s = stepPeer(s, { type: 'confirm', observer, incarnation: 1, expected: 7, nowMs: 10_100 }, floored).state
    assert.equal(stepPeer(s, check(11_240), floored).effects.length, 0)
    assert.ok(stepPeer(s, check(11_250), floored).effects.some((e) => e.type === 'transition' && e.to === 'dead'))
  })

  test('a heartbeat ends the episode: recovered, its confirmations are forgotten', () => {
    const s = suspectedThenConfirmed(['o1', 'o2', 'o3'])
    const back = stepPeer(s, { type: 'heartbeat', incarnation: 1, seq: 99, health, nowMs: 10_500 }, confirmed).state
    assert.equal(back.state, 'alive')
    assert.deepEqual(back.confirmations, [])
  })
})
