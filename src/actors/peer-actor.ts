import { createPeerState, currentPhi, stepPeer, type PeerEffect, type PeerInput, type PeerState, type PeerStateOptions } from '../detector/peer-state.ts'
import { lastArrivalMs } from '../detector/phi.ts'
import type { Clock, Timer } from '../runtime/clock.ts'
import type { HealthSummary, MemberState } from '../transport/codec.ts'
import type { ProbeResult } from '../transport/types.ts'
import type { Behaviour } from './actor.ts'

/**
 * The shell around one subject's pure state machine (src/detector/peer-state.ts): it stamps
 * messages with the clock, keeps one timer for the next check, runs direct probes, and hands
 * every new state (an immutable value) and transition to its owner. One PeerActor per observed
 * peer, so one peer's flood of messages or bad data touches nothing but its own mailbox.
 */
export type PeerMessage =
  | { type: 'heartbeat'; incarnation: number; seq: number; health: HealthSummary }
  | { type: 'join'; incarnation: number }
  | { type: 'leave'; incarnation: number }
  /** A scheduled check; `dueAtMs` is when its timer was due (absent: check now). */
  | { type: 'check'; dueAtMs?: number }
  | { type: 'probe-result'; result: ProbeResult; incarnation: number }
  /** Another observer reported the subject suspect or dead (a confirmation, Lifeguard). */
  | { type: 'confirm'; observer: string; incarnation: number; expected: number }

/** What local health awareness says right now (src/detector/awareness.ts). */
export interface AwarenessReading {
  multiplier: number
  withholdDead: boolean
  /** Verdicts held back until this time (the process was just paused); 0 when not holding. */
  holdUntilMs: number
  /** This process is resuming from a stall now: heartbeat gaps are not the subjects' doing. */
  stalled: boolean
}

export interface PeerActorEnv {
  clock: Clock
  options: PeerStateOptions
  probeTimeoutMs: number
  /** Floor between two checks, so a withheld or held verdict is re-examined without spinning. */
  checkIntervalMinMs: number
  /**
   * A check that runs later than this after its due time means this process was stalled
   * (SIGSTOP, a long GC, CPU starvation): when it resumes, its overdue timers run before it
   * reads the messages that arrived meanwhile, so judging now would condemn peers whose
   * heartbeats sit unread in the socket buffers. Such a check is put off once, by
   * checkIntervalMinMs, to let the backlog in first.
   */
  lateCheckToleranceMs: number
  awareness(): AwarenessReading
  probe(peerId: string, timeoutMs: number): Promise<ProbeResult>
  /** Called with each probe's outcome: an answered probe is evidence of this node's own health. */
  onProbeResult?(ok: boolean): void
  /** Called with the phi a heartbeat arrived at (how late it was), before it is recorded. */
  onHeartbeatPhi?(peerId: string, phi: number): void
  /** Called after every step with the new state and the transitions it made. */
  onState(peerId: string, state: PeerState, transitions: Extract<PeerEffect, { type: 'transition' }>[]): void
}

export interface PeerActorSeed {
  incarnation: number
  /** Starting state: what the member table believed (alive, or dead per a digest). */
  state: MemberState
}

/** `send` delivers to this actor's own mailbox (its timer and probe results come back that way). */
export function peerBehaviour(peerId: string, seed: PeerActorSeed, env: PeerActorEnv, send: (m: PeerMessage) => void): Behaviour<PeerMessage> & { dispose(): void } {
  let state: PeerState = { ...createPeerState(seed.incarnation, env.clock.now(), env.options), state: seed.state }
  let timer: Timer | undefined
  let deferredLateCheck = false

  /** When the pending check is due (what its message says). */
  let checkAtMs = 0
  const check = (): void => send({ type: 'check', dueAtMs: checkAtMs })
  /** `holdUntilMs`: from the awareness reading the step took, when there was one (the same value). */
  const schedule = (wakeAtMs: number | undefined, holdUntilMs = env.awareness().holdUntilMs): void => {
    if (wakeAtMs === undefined) {
      timer?.cancel()
      timer = undefined
      return
    }
    const now = env.clock.now()
    checkAtMs = Math.max(wakeAtMs, now + 1, holdUntilMs)
    // Every heartbeat moves the check: in place where the clock allows (no garbage per beat).
    if (timer?.reschedule?.(checkAtMs - now) === true) return
    timer?.cancel()
    timer = env.clock.setTimeout(check, checkAtMs - now)
  }

  const toInput = (m: PeerMessage, nowMs: number, reading: AwarenessReading): PeerInput => {
    switch (m.type) {
      case 'heartbeat': return { ...m, nowMs, stalled: reading.stalled }
      case 'join':
      case 'leave':
      case 'confirm': return { ...m, nowMs }
      case 'check': return { type: 'check', nowMs, multiplier: reading.multiplier, withholdDead: reading.withholdDead, hold: nowMs < reading.holdUntilMs }
      case 'probe-result':
        return m.result.ok
          ? { type: 'probe-result', ok: true, incarnation: m.incarnation, nowMs }
          : { type: 'probe-result', ok: false, reason: m.result.reason, incarnation: m.incarnation, nowMs }
    }
  }

  const startProbe = (incarnation: number): void => {
    env.probe(peerId, env.probeTimeoutMs).then(
      (result) => {
        env.onProbeResult?.(result.ok)
        send({ type: 'probe-result', result, incarnation })
      },
      () => send({ type: 'probe-result', result: { ok: false, reason: 'timeout' }, incarnation })
    )
  }

  // Arm the first check: a subject that never sends a heartbeat must still be suspected.
  schedule(stepPeer(state, { type: 'check', nowMs: env.clock.now(), multiplier: 1, withholdDead: false, hold: true }, env.options).wakeAtMs)

  return {
    receive(message) {
      const now = env.clock.now()
      if (message.type === 'check') {
        const late = message.dueAtMs !== undefined && now - message.dueAtMs > env.lateCheckToleranceMs
        if (late && !deferredLateCheck) {
          deferredLateCheck = true
          schedule(now + env.checkIntervalMinMs)
          return
        }
        deferredLateCheck = false
      }
      const reading = env.awareness()
      if (message.type === 'heartbeat' && env.onHeartbeatPhi !== undefined && lastArrivalMs(state.detector) !== undefined) {
        env.onHeartbeatPhi(peerId, currentPhi(state, now, env.options))
      }
      const step = stepPeer(state, toInput(message, now, reading), env.options, reading.multiplier)
      state = step.state
      const transitions: Extract<PeerEffect, { type: 'transition' }>[] = []
      for (const effect of step.effects) {
        if (effect.type === 'probe') startProbe(state.incarnation)
        else transitions.push(effect)
      }
      let wake = step.wakeAtMs
      // A due check that changed nothing (verdict withheld or held back): look again shortly.
      if (message.type === 'check' && wake !== undefined && wake <= now) wake = now + env.checkIntervalMinMs
      schedule(wake, reading.holdUntilMs)
      env.onState(peerId, state, transitions)
    },
    dispose() {
      timer?.cancel()
      timer = undefined
    }
  }
}
