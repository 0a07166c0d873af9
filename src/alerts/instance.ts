import type { Severity } from '../domain/index.ts'
import type { Labels } from './labels.ts'

/**
 * One alert instance and its lifecycle, Prometheus' alerting-rule states plus a flapping state:
 *
 *   (inactive) ─cond─► pending ─held forMs─► firing ─cond gone keepFiringForMs─► resolved
 *        ▲                │ cond gone                                              │ cond again:
 *        └────────────────┘ (dropped, never notified)                              │ pending/firing
 *   resolved ─retained resolvedRetentionMs─► (forgotten)                            │
 *   firing ⇄ resolved flapTransitionsMax times within flapWindowMs ─► flapping: held as firing
 *   (one notification, marked flapping) until the condition stays away flapQuietMs.
 *
 * Severity only escalates within an episode (warning → critical on the same identity, never
 * back until it resolves), so a value hovering at the critical line does not page twice per
 * minute. Identity is the fingerprint of the labels (labels.ts), severity excluded: the alert an
 * operator silenced or acknowledged stays the same alert when it escalates.
 *
 * A plain JSON object: the store persists it as one row.
 */
export type AlertState = 'pending' | 'firing' | 'flapping' | 'resolved'
export const ALERT_STATES: readonly AlertState[] = ['pending', 'firing', 'flapping', 'resolved']

/** Who the alert is about: a peer (notified by one of its observers) or this node itself. */
export type AlertSubject = { kind: 'peer'; id: string } | { kind: 'self' }

export interface AlertInstance {
  fingerprint: string
  rule: string
  /** Identity labels (alertname included, severity not). */
  labels: Labels
  annotations: Record<string, string>
  state: AlertState
  severity: Severity
  subject: AlertSubject
  value: number
  /** When the condition began (the episode's start; Alertmanager's startsAt). */
  activeAtMs: number
  firedAtMs: number | null
  resolvedAtMs: number | null
  /** Last time a notification including this alert was sent (set by the notify pipeline). */
  lastNotifiedAtMs: number | null
  /** Last evaluation at which the condition held. */
  lastTrueAtMs: number
  /** Last evaluation that saw the series/entity at all (staleness). */
  lastSeenAtMs: number
  /** Whether the condition held at that evaluation (what a sweep assumes until the next one). */
  holding: boolean
  /** Times it entered firing, newest last, at most flapTransitionsMax (flap detection). */
  firedTimesMs: number[]
}

export interface LifecycleOptions {
  /** Resolved alerts are kept this long (for the resolved notification and the view). */
  resolvedRetentionMs: number
  /** Entering firing this many times within flapWindowMs makes the alert flapping. */
  flapTransitionsMax: number
  flapWindowMs: number
  /** A flapping alert resolves only after its condition stayed away this long. */
  flapQuietMs: number
}

export const LIFECYCLE_DEFAULTS: LifecycleOptions = {
  resolvedRetentionMs: 15 * 60_000,
  flapTransitionsMax: 4,
  flapWindowMs: 30 * 60_000,
  flapQuietMs: 10 * 60_000
}

export interface Transition {
  type: 'alert:pending' | 'alert:firing' | 'alert:flapping' | 'alert:escalated' | 'alert:resolved'
  previous: AlertState | 'inactive'
  alert: AlertInstance
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 }
export function higherSeverity(a: Severity, b: Severity): Severity {
  return RANK[b] > RANK[a] ? b : a
}

/** An instance is active (counts, can notify as firing) while pending, firing or flapping. */
export function isFiring(a: AlertInstance): boolean {
  return a.state === 'firing' || a.state === 'flapping'
}

/** The rule-level timing an instance's transitions need. */
export interface RuleTiming {
  forMs: number
  keepFiringForMs: number
}

function enterFiring(a: AlertInstance, nowMs: number, o: LifecycleOptions, out: Transition[]): void {
  const previous = a.state
  a.firedTimesMs.push(nowMs)
  while (a.firedTimesMs.length > o.flapTransitionsMax) a.firedTimesMs.shift()
  const flapping = a.firedTimesMs.length >= o.flapTransitionsMax && nowMs - a.firedTimesMs[0]! <= o.flapWindowMs
  a.firedAtMs ??= nowMs
  a.resolvedAtMs = null
  a.state = flapping ? 'flapping' : 'firing'
  out.push({ type: flapping ? 'alert:flapping' : 'alert:firing', previous, alert: a })
}

/**
 * Advances one instance given the condition at `nowMs` (`severity` when it holds, null when it
 * does not). Returns false when the instance should be forgotten. Mutates `a`, appends to `out`.
 */
export function advance(a: AlertInstance, severity: Severity | null, nowMs: number, timing: RuleTiming, o: LifecycleOptions, out: Transition[]): boolean {
  if (severity !== null) {
    a.lastTrueAtMs = nowMs
    if (a.state === 'resolved') {
      // A new episode of the same identity: back to pending (or straight to firing).
      a.state = 'pending'
      a.activeAtMs = nowMs
      a.firedAtMs = null
      a.severity = severity
      out.push({ type: 'alert:pending', previous: 'resolved', alert: a })
    }
    if (a.state === 'pending') {
      a.severity = higherSeverity(a.severity, severity)
      if (nowMs - a.activeAtMs >= timing.forMs) enterFiring(a, nowMs, o, out)
      return true
    }
    if (higherSeverity(a.severity, severity) !== a.severity) {
      a.severity = severity
      out.push({ type: 'alert:escalated', previous: a.state, alert: a })
    }
    return true
  }
  switch (a.state) {
    case 'pending':
      return false // never fired: dropped without a word, as Prometheus does
    case 'firing':
    case 'flapping': {
      const holdMs = a.state === 'flapping' ? Math.max(timing.keepFiringForMs, o.flapQuietMs) : timing.keepFiringForMs
      if (nowMs - a.lastTrueAtMs >= holdMs) {
        const previous = a.state
        a.state = 'resolved'
        a.resolvedAtMs = nowMs
        out.push({ type: 'alert:resolved', previous, alert: a })
      }
      return true
    }
    case 'resolved':
      return nowMs - (a.resolvedAtMs ?? nowMs) < o.resolvedRetentionMs
  }
}
