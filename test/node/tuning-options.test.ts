/**
 * The detector and supervisor tuning options take effect, on virtual time: changed from their
 * defaults, each moves the moment the detector acts (or the supervisor parks and revives) by
 * exactly what its comment in src/config/schema.ts says. The detector's settings come from the
 * agent config through detectionOptions(), as ClusterNode takes them; probes go over the
 * in-memory network to a running peer that answers but never sends a heartbeat (a one-way link),
 * so every probe is answered for real.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { peerBehaviour, type PeerActorEnv, type PeerMessage } from '../../src/actors/peer-actor.ts'
import { Supervisor } from '../../src/actors/supervisor.ts'
import type { ActorRef } from '../../src/actors/actor.ts'
import { validateConfig } from '../../src/config/load.ts'
import { defaultConfig, PROFILES } from '../../src/config/profiles.ts'
import type { ConfigInput } from '../../src/config/schema.ts'
import { createPeerState, stepPeer, suspectAtMs, type PeerState } from '../../src/detector/peer-state.ts'
import { detectionOptions } from '../../src/node/detection-options.ts'
import { VirtualCluster } from '../../src/sim/virtual-cluster.ts'

const config = (over: ConfigInput) => validateConfig({ ...defaultConfig(), ...PROFILES.lan, name: 'a', ...over })
const health = { status: 'healthy' as const, checksFailing: 0 }

interface Watch { probesAt: number[]; answered: number; suspectedAt: number | undefined; reason: string | undefined }

/**
 * Node `a` observes `mute` (a started transport that answers probes and publishes nothing) with
 * one PeerActor under a Supervisor, settings from `over`; runs until the suspicion (30 s at most).
 */
async function observeMute(over: ConfigInput): Promise<Watch & { startMs: number }> {
  const o = config(over)
  const cluster = new VirtualCluster({ seed: 1 })
  const a = cluster.network.createTransport('a')
  const mute = cluster.network.createTransport('mute')
  await a.start()
  await mute.start()
  const clock = cluster.clock
  const watch: Watch = { probesAt: [], answered: 0, suspectedAt: undefined, reason: undefined }
  const env: PeerActorEnv = {
    clock,
    options: detectionOptions(o),
    probeTimeoutMs: o.probeTimeoutMs,
    checkIntervalMinMs: o.heartbeatIntervalMs / 4,
    lateCheckToleranceMs: o.heartbeatIntervalMs / 2,
    awareness: () => ({ multiplier: 1, withholdDead: false, holdUntilMs: 0, stalled: false }),
    probe: (peerId, timeoutMs) => {
      watch.probesAt.push(clock.now())
      return a.probe(peerId, timeoutMs)
    },
    onProbeResult: (ok) => { if (ok) watch.answered++ },
    onState: (_peer, _state, transitions) => {
      for (const t of transitions) {
        if (t.to === 'suspect' && watch.suspectedAt === undefined) {
          watch.suspectedAt = clock.now()
          watch.reason = t.reason
        }
      }
    }
  }
  const supervisor = new Supervisor({ mailboxLengthMax: o.mailboxLengthMax, restartsMax: o.actorRestartsMax, restartWindowMs: o.actorRestartWindowMs, clock })
  const startMs = clock.now()
  const ref: ActorRef<PeerMessage> = supervisor.spawn<PeerMessage>('peer:mute', () => peerBehaviour('mute', { incarnation: 1, state: 'alive' }, env, (m) => { ref.send(m) }))
  const took = await cluster.runUntil(() => watch.suspectedAt !== undefined, 30_000)
  assert.ok(took !== undefined, 'suspected within 30 s')
  await supervisor.stopAll()
  await a.stop()
  await mute.stop()
  return { ...watch, startMs }
}

describe('tuning options on virtual time', { timeout: 30_000 }, () => {
  test('okProbesMax: the detector suspects after that many answered probes, one heartbeat interval apart', async () => {
    const runs = new Map<number, Awaited<ReturnType<typeof observeMute>>>()
    for (const n of [1, 2, 4]) runs.set(n, await observeMute({ okProbesMax: n }))
    for (const [n, r] of runs) {
      assert.equal(r.probesAt.length, n, `okProbesMax ${n}: probes ${r.probesAt.length}`)
      assert.equal(r.answered, n, `okProbesMax ${n}: every probe answered`)
      assert.match(r.reason ?? '', /though it answers probes/)
    }
    // Each further answered probe waits one more heartbeatIntervalMs (1 s) before the suspicion.
    const after = (n: number) => runs.get(n)!.suspectedAt! - runs.get(n)!.probesAt[0]!
    assert.ok(Math.abs(after(2) - after(1) - 1000) < 50, `1 -> 2: ${after(1)} -> ${after(2)} ms`)
    assert.ok(Math.abs(after(4) - after(2) - 2000) < 50, `2 -> 4: ${after(2)} -> ${after(4)} ms`)
    const defaults = await observeMute({})
    assert.equal(defaults.probesAt.length, 2, 'the default is 2, as before it was an option')
  })

  test('firstHeartbeatGraceIntervals: a never-heard subject is first probed that many heartbeat intervals later', async () => {
    const two = await observeMute({ firstHeartbeatGraceIntervals: 2 })
    const six = await observeMute({ firstHeartbeatGraceIntervals: 6 })
    const first = (r: typeof two) => r.probesAt[0]! - r.startMs
    assert.equal(first(six) - first(two), 4 * 1000, `${first(two)} -> ${first(six)} ms`)
  })

  test('probeResultMarginMs: an unanswered probe turns into a suspicion probeTimeoutMs + the margin after it was sent', () => {
    const suspectAfterProbe = (margin: number): number => {
      const d = detectionOptions(config({ probeResultMarginMs: margin }))
      let s: PeerState = createPeerState(1, 0, d)
      for (let i = 0; i < 20; i++) s = stepPeer(s, { type: 'heartbeat', incarnation: 1, seq: i, health, nowMs: i * 1000 }, d).state
      // The peer goes silent; its probe is sent at the first wake-up and never answered.
      let at = stepPeer(s, { type: 'check', nowMs: 19_000, multiplier: 1, withholdDead: false, hold: false }, d).wakeAtMs!
      const probeAt = at
      for (let i = 0; i < 10 && s.state === 'alive'; i++) {
        const step = stepPeer(s, { type: 'check', nowMs: at, multiplier: 1, withholdDead: false, hold: false }, d)
        s = step.state
        if (s.state === 'alive') at = step.wakeAtMs!
      }
      assert.equal(s.state, 'suspect')
      return s.suspectedAtMs! - probeAt
    }
    assert.equal(suspectAfterProbe(250), 1250)
    assert.equal(suspectAfterProbe(2000), 3000)
  })

  test('heartbeatGapIntervalsMax: a longer gap is learned as that many intervals, no more', () => {
    // Heartbeats every second with a 6 s gap every 5 beats, then silence: when is it suspicious?
    const suspicionAfterGaps = (cap: number, gapMs: number): number => {
      const d = detectionOptions(config({ heartbeatGapIntervalsMax: cap }))
      let s: PeerState = createPeerState(1, 0, d)
      let t = 0
      for (let i = 0; i < 40; i++) {
        t += i % 5 === 4 ? gapMs : 1000
        s = stepPeer(s, { type: 'heartbeat', incarnation: 1, seq: i, health, nowMs: t }, d).state
      }
      return suspectAtMs(s, 1, d) - t
    }
    const capped3 = suspicionAfterGaps(3, 6000)
    assert.equal(capped3, suspicionAfterGaps(3, 3000), 'at cap 3 a 6 s gap teaches what a 3 s gap does')
    assert.equal(suspicionAfterGaps(6, 6000), suspicionAfterGaps(10, 6000), 'a gap under the cap is learned as it is')
    assert.ok(suspicionAfterGaps(6, 6000) > capped3 + 1000, `cap 6 waits longer: ${suspicionAfterGaps(6, 6000)} vs ${capped3} ms`)
  })

  test('the actor restart budget and cooldown: ClusterNode parks an actor past actorRestartsMax and revives it after actorReviveAfterMsMin', async () => {
    const cluster = new VirtualCluster({ seed: 3, node: { actorRestartsMax: 1, actorRestartWindowMs: 10_000, actorReviveAfterMsMin: 5000, actorReviveAfterMsMax: 20_000 } })
    const node = await cluster.add('n0')
    let failing = true
    const ref = node.supervisor.spawn<string>('probe', () => ({ receive() { if (failing) throw new Error('bad input') } }))
    ref.send('x')
    await cluster.runFor(10)
    assert.equal(node.stoppedActors(), 0, 'the first failure is within the budget of 1: restarted')
    assert.equal(node.supervisor.stats.restarts, 1)
    ref.send('x')
    await cluster.runFor(10)
    assert.equal(node.stoppedActors(), 1, 'the second failure in the window parks it')
    failing = false
    await cluster.runFor(4900)
    assert.equal(node.stoppedActors(), 1, 'still parked before its 5 s cooldown ends')
    await cluster.runFor(200)
    assert.equal(node.stoppedActors(), 0, 'revived after 5 s, not the default 30 s')
    assert.equal(ref.send('y'), true)
    // Parked again: the cooldown doubles (10 s), within actorReviveAfterMsMax.
    failing = true
    ref.send('x')
    await cluster.runFor(10)
    ref.send('x')
    await cluster.runFor(10)
    assert.equal(node.stoppedActors(), 1)
    failing = false
    await cluster.runFor(9800)
    assert.equal(node.stoppedActors(), 1, 'the second cooldown is 10 s')
    await cluster.runFor(400)
    assert.equal(node.stoppedActors(), 0)
    await node.stop({ leave: false })
  })
})
