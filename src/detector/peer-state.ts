import type { HealthSummary, MemberState } from '../transport/codec.ts'
import { createPhiState, elapsedForPhi, lastArrivalMs, phi, recordHeartbeat, type PhiOptions, type PhiState } from './phi.ts'

/**
 * The state machine an observer runs for one subject: alive -> suspect -> dead, and left after a
 * graceful leave. A pure step: `stepPeer(state, input, options) -> { state, effects }`; the
 * PeerActor shell performs the effects (publish the verdict, probe, schedule the next check).
 *
 * - When phi (Hayashibara et al.) crosses phiSuspectThreshold, i.e. once the silence since the
 *   last heartbeat reaches elapsedForPhi(threshold), stretched by the local health multiplier
 *   (Lifeguard), the observer first probes the subject directly (SWIM's probe before suspicion):
 *   a refused or unanswered probe makes it suspect; an answered one keeps it alive and waits
 *   another probeRetryMs for a heartbeat, up to okProbesMax times, after which it is suspect
 *   anyway (its heartbeats are lost: a one-way link) but never dead while it answers. Under
 *   packet loss most lost-heartbeat silences end at the probe, not in a suspicion.
 * - suspect -> dead after suspicionTimeoutMs (stretched likewise), or suspicionTimeoutMsMin once
 *   a probe found the subject refusing connections. Independent confirmations shorten the wait
 *   (Lifeguard's dynamic suspicion timeout, memberlist's suspicion.go): each other observer of
 *   the subject that reports it suspect or dead at this incarnation lowers the timeout from
 *   suspicionTimeoutMs toward suspicionTimeoutMsConfirmedMin by log(C + 1) / log(K + 1), K the
 *   confirmations to expect (the subject's other observers, at most confirmationsMax). A probe that succeeds restarts the suspicion
 *   clock: the process answers, so it is not dead, however lost its heartbeats are.
 * - Any heartbeat of the current incarnation brings suspect or dead back to alive; a heartbeat or
 *   join with a higher incarnation (a restart, or a refutation, SWIM §4.2) resets the detector.
 * - left is final for its incarnation: only a higher incarnation brings the peer back.
 */
export type ObservedState = MemberState

export interface PeerStateOptions {
  phi: PhiOptions
  phiSuspectThreshold: number
  suspicionTimeoutMs: number
  suspicionTimeoutMsMin: number
  /** Silence tolerated before a never-heard subject's first heartbeat, on top of phi's margin. */
  firstHeartbeatGraceMs: number
  /** How long to wait for a probe's result before taking it as unanswered. */
  probeWaitMs: number
  /** After an answered probe, how long to wait for a heartbeat before probing again. */
  probeRetryMs: number
  /** Answered probes without a heartbeat before the subject is suspected anyway. */
  okProbesMax: number
  /** Floor of the suspicion timeout with every expected confirmation in (absent: suspicionTimeoutMsMin). */
  suspicionTimeoutMsConfirmedMin?: number
  /** Cap on K, the confirmations that bring the suspicion timeout down to its minimum (memberlist: k - 1). */
  confirmationsMax?: number
}

export interface PeerState {
  state: ObservedState
  incarnation: number
  /** Highest heartbeat sequence number seen in this incarnation (-1: none). */
  lastSeq: number
  detector: PhiState
  /** When this node started observing the subject (the silence clock before any heartbeat). */
  observingSinceMs: number
  stateSinceMs: number
  suspectedAtMs: number | undefined
  /** What the last direct probe (before or during the suspicion) found. */
  probe: 'none' | 'pending' | 'ok' | 'refused' | 'timeout'
  /** While alive and probing: when to look again (the probe's deadline, or the retry time). */
  probeDueMs: number | undefined
  /** Answered probes since the last heartbeat. */
  okProbes: number
  health: HealthSummary | undefined
  /** Failure episodes: transitions into suspect. */
  failureCount: number
  /**
   * Other observers that reported the subject suspect or dead at this incarnation, with when
   * (at most confirmationsMax, kept while this observer does not hold the subject alive-and-heard);
   * `confirmationsExpected` is K as the last report saw it.
   */
  confirmations: readonly { observer: string; atMs: number }[]
  confirmationsExpected: number
}

export type PeerInput =
  /**
   * `stalled`: this process was itself paused or starved across the gap (Lifeguard's local
   * health), so the interval is not learned: a 3 s SIGSTOP of the observer would otherwise
   * teach every subject's detector that 3 s silences are normal, for a whole window.
   */
  | { type: 'heartbeat'; incarnation: number; seq: number; health: HealthSummary; nowMs: number; stalled?: boolean }
  | { type: 'join'; incarnation: number; nowMs: number }
  | { type: 'leave'; incarnation: number; nowMs: number }
  /** A scheduled check. `multiplier` stretches timeouts; `withholdDead`/`hold` come from awareness. */
  | { type: 'check'; nowMs: number; multiplier: number; withholdDead: boolean; hold: boolean }
  | { type: 'probe-result'; ok: boolean; reason?: 'refused' | 'timeout'; incarnation: number; nowMs: number }
  /** Another observer of the subject reported it suspect or dead; `expected` is its other observers' count. */
  | { type: 'confirm'; observer: string; incarnation: number; expected: number; nowMs: number }

export type PeerEffect =
  | { type: 'transition'; from: ObservedState; to: ObservedState; reason: string }
  | { type: 'probe' }

export interface PeerStep {
  state: PeerState
  effects: PeerEffect[]
  /** When the shell should run the next check (absent: nothing pending, e.g. dead or left). */
  wakeAtMs: number | undefined
}

export function createPeerState(incarnation: number, nowMs: number, options: PeerStateOptions): PeerState {
  return {
    state: 'alive',
    incarnation,
    lastSeq: -1,
    detector: createPhiState(options.phi),
    observingSinceMs: nowMs,
    stateSinceMs: nowMs,
    suspectedAtMs: undefined,
    probe: 'none',
    probeDueMs: undefined,
    okProbes: 0,
    health: undefined,
    failureCount: 0,
    confirmations: [],
    confirmationsExpected: 0
  }
}

/** Current phi (0 before any heartbeat). */
export function currentPhi(s: PeerState, nowMs: number, options: PeerStateOptions): number {
  return phi(s.detector, nowMs, options.phi)
}

/** When the silence becomes suspicious with the given timeout multiplier. */
export function suspectAtMs(s: PeerState, multiplier: number, options: PeerStateOptions): number {
  const last = lastArrivalMs(s.detector)
  const margin = elapsedForPhi(s.detector, options.phiSuspectThreshold, options.phi) * multiplier
  return last !== undefined ? last + margin : s.observingSinceMs + margin + options.firstHeartbeatGraceMs
}

/** When a suspect subject is declared dead with the given multiplier. */
export function deadAtMs(s: PeerState, multiplier: number, options: PeerStateOptions): number {
  const timeout = s.probe === 'refused' ? options.suspicionTimeoutMsMin : suspicionTimeoutMs(s, options)
  return (s.suspectedAtMs ?? s.stateSinceMs) + timeout * multiplier
}

/**
 * memberlist's formula: max - (max - min) * log(C + 1) / log(K + 1), never below min. Only
 * confirmations from the recent past count (a suspicion timeout's worth before this one began):
 * a stale report is not evidence about this episode.
 */
export function suspicionTimeoutMs(s: PeerState, options: PeerStateOptions): number {
  const max = options.suspicionTimeoutMs
  const min = Math.min(options.suspicionTimeoutMsConfirmedMin ?? options.suspicionTimeoutMsMin, max)
  const expected = Math.min(s.confirmationsExpected, options.confirmationsMax ?? Infinity)
  if (expected < 1) return max
  const since = (s.suspectedAtMs ?? s.stateSinceMs) - max
  const confirmed = Math.min(expected, s.confirmations.filter((c) => c.atMs >= since).length)
  if (confirmed === 0) return max
  return Math.max(min, max - ((max - min) * Math.log(confirmed + 1)) / Math.log(expected + 1))
}

function transition(s: PeerState, to: ObservedState, nowMs: number, reason: string, effects: PeerEffect[]): PeerState {
  effects.push({ type: 'transition', from: s.state, to, reason })
  const next: PeerState = { ...s, state: to, stateSinceMs: nowMs, probeDueMs: undefined }
  if (to === 'suspect') {
    // The probe that led here (refused, unanswered, or answered without heartbeats) stays on
    // record: it decides how long the suspicion lasts.
    next.suspectedAtMs = nowMs
    next.failureCount = s.failureCount + 1
  } else {
    next.suspectedAtMs = undefined
    next.probe = 'none'
    next.okProbes = 0
    if (to === 'alive') next.confirmations = []
  }
  return next
}

/** A fresh incarnation: the detector starts over, since the old arrival pattern is history. */
function reincarnate(s: PeerState, incarnation: number, nowMs: number, options: PeerStateOptions): PeerState {
  return { ...s, incarnation, lastSeq: -1, detector: createPhiState(options.phi), observingSinceMs: nowMs, probe: 'none', probeDueMs: undefined, okProbes: 0, confirmations: [] }
}

export function stepPeer(s: PeerState, input: PeerInput, options: PeerStateOptions, multiplier = 1): PeerStep {
  const effects: PeerEffect[] = []
  let next = s
  switch (input.type) {
    case 'heartbeat': {
      if (input.incarnation < s.incarnation) break
      if (input.incarnation > s.incarnation) next = reincarnate(s, input.incarnation, input.nowMs, options)
      else if (s.state === 'left' || input.seq <= s.lastSeq) break
      const detector = recordHeartbeat(next.detector, input.nowMs, options.phi, input.stalled !== true)
      // One copy per heartbeat (every observer steps on every beat); an alive subject's probe state resets.
      next = next.state === 'alive'
        ? { ...next, lastSeq: input.seq, health: input.health, detector, probe: 'none', probeDueMs: undefined, okProbes: 0 }
        : { ...next, lastSeq: input.seq, health: input.health, detector }
      if (next.state !== 'alive') {
        const reason = input.incarnation > s.incarnation ? 'restarted with a new incarnation' : 'heartbeats resumed'
        next = transition(next, 'alive', input.nowMs, reason, effects)
      }
      break
    }
    case 'join': {
      if (input.incarnation <= s.incarnation) break
      next = reincarnate(s, input.incarnation, input.nowMs, options)
      if (next.state !== 'alive') next = transition(next, 'alive', input.nowMs, 'rejoined with a new incarnation', effects)
      break
    }
    case 'leave': {
      if (input.incarnation < s.incarnation || s.state === 'left') break
      next = { ...s, incarnation: input.incarnation }
      next = transition(next, 'left', input.nowMs, 'announced a graceful leave', effects)
      break
    }
    case 'probe-result': {
      if (input.incarnation !== s.incarnation) break
      if (s.state === 'alive' && s.probe === 'pending') {
        const silentMs = Math.round(input.nowMs - (lastArrivalMs(s.detector) ?? s.observingSinceMs))
        if (input.ok) {
          next = { ...s, probe: 'ok', okProbes: s.okProbes + 1, probeDueMs: input.nowMs + options.probeRetryMs }
        } else {
          const why = input.reason === 'refused' ? 'refuses connections' : 'does not answer a probe'
          next = transition({ ...s, probe: input.reason ?? 'timeout' }, 'suspect', input.nowMs, `no heartbeat for ${seconds(silentMs)} and ${why}`, effects)
        }
        break
      }
      if (s.state !== 'suspect') break
      if (input.ok) {
        // It answers: not dead. Restart the suspicion clock and probe again when it runs out.
        next = { ...s, probe: 'ok', suspectedAtMs: input.nowMs }
      } else {
        next = { ...s, probe: input.reason ?? 'timeout' }
      }
      break
    }
    case 'confirm': {
      if (input.incarnation !== s.incarnation || s.state === 'dead' || s.state === 'left') break
      if (s.confirmations.some((c) => c.observer === input.observer)) break
      const cap = Math.max(1, Math.min(input.expected, options.confirmationsMax ?? input.expected))
      next = { ...s, confirmations: [...s.confirmations, { observer: input.observer, atMs: input.nowMs }].slice(-cap), confirmationsExpected: input.expected }
      break
    }
    case 'check': {
      if (input.hold) break
      multiplier = input.multiplier
      const now = input.nowMs
      if (s.state === 'alive' && now >= suspectAtMs(s, multiplier, options)) {
        const silentMs = Math.round(now - (lastArrivalMs(s.detector) ?? s.observingSinceMs))
        if (s.probe === 'none' || (s.probe === 'ok' && now >= (s.probeDueMs ?? now) && s.okProbes < options.okProbesMax)) {
          // Silent for too long: ask the subject directly before suspecting it.
          next = { ...s, probe: 'pending', probeDueMs: now + options.probeWaitMs }
          effects.push({ type: 'probe' })
        } else if (s.probe === 'pending' && now >= (s.probeDueMs ?? now)) {
          next = transition({ ...s, probe: 'timeout' }, 'suspect', now, `no heartbeat for ${seconds(silentMs)} and no answer to a probe`, effects)
        } else if (s.probe === 'ok' && now >= (s.probeDueMs ?? now)) {
          next = transition(s, 'suspect', now, `no heartbeat for ${seconds(silentMs)} (phi ${phiText(currentPhi(s, now, options))}) though it answers probes`, effects)
        }
      } else if (s.state === 'suspect' && now >= deadAtMs(s, multiplier, options)) {
        if (s.probe === 'ok') {
          // Answered the last probe: probe again instead of condemning it.
          next = { ...s, probe: 'pending', suspectedAtMs: now }
          effects.push({ type: 'probe' })
        } else if (!input.withholdDead) {
          const why = s.probe === 'refused' ? 'suspected and refusing connections' : `suspected for ${seconds(now - (s.suspectedAtMs ?? now))}`
          next = transition(s, 'dead', now, why, effects)
        }
      }
      break
    }
  }
  return { state: next, effects, wakeAtMs: nextWake(next, multiplier, options) }
}

function nextWake(s: PeerState, multiplier: number, options: PeerStateOptions): number | undefined {
  if (s.state === 'alive') return s.probeDueMs ?? suspectAtMs(s, multiplier, options)
  if (s.state === 'suspect') return deadAtMs(s, multiplier, options)
  return undefined
}

/** Reasons are read by people: 2065 ms reads as "2.1 s". */
function seconds(ms: number): string {
  return `${(Math.round(ms / 100) / 10).toFixed(1)} s`
}

/** Phi past 99 says only "far later than ever seen". */
function phiText(phi: number): string {
  return phi > 99 ? '>99' : phi.toFixed(1)
}
