/**
 * The alerting part of the socket API's JSON contract (src/api/API.md): alerts as the rules see
 * them, their history, silences and force-leave. Times are ISO 8601 strings, as elsewhere in
 * the API; ids are the core's (fingerprints are 16 hex digits).
 */
import type { Severity } from './protocol.ts'

export type AlertStateName = 'pending' | 'firing' | 'flapping' | 'resolved'
export const ALERT_STATE_NAMES: readonly AlertStateName[] = ['pending', 'firing', 'flapping', 'resolved']

/** Who sent a notification about the alert (this agent or another one of the cluster). */
export interface NotifiedByView {
  /** Agent id. */
  by: string
  /** Its name, when this node knows it. */
  byName?: string
  status: 'firing' | 'resolved'
  at: string
}

/** One alert instance, as GET /v1/alerts and `healthmon alerts --json` show it. */
export interface AlertView {
  fingerprint: string
  alertname: string
  state: AlertStateName
  severity: Severity
  labels: Record<string, string>
  annotations: Record<string, string>
  /** A peer's alert names the peer; a `self` alert is about this node's resources, checks or facts. */
  subject: { kind: 'peer'; id: string; name: string } | { kind: 'self' }
  value: number
  /** When the condition began (Alertmanager's startsAt). */
  startsAt: string
  firedAt: string | null
  resolvedAt: string | null
  lastNotifiedAt: string | null
  /** Ids of the active silences that mute it. */
  silencedBy: string[]
  /** Muted by an inhibition rule (a dead peer mutes its other alerts, ...). */
  inhibited: boolean
  /** Who told a person about it, newest last. */
  notifiedBy: NotifiedByView[]
  /** Why this agent does not notify it itself, when it does not (another observer does...). */
  notNotifiedBecause?: string
}

/** GET /v1/alerts. */
export interface AlertsResponse {
  /** Matching alerts, firing before pending before resolved, then newest first; at most `limit`. */
  alerts: AlertView[]
  /** How many matched before `limit`. */
  matched: number
}

/** One resolved alert of GET /v1/alerts/history. */
export interface AlertHistoryEntry extends AlertView {
  /** Cursor: pass as `before` to page on. */
  id: number
}

/** GET /v1/alerts/history: newest first. */
export interface AlertHistoryResponse {
  alerts: AlertHistoryEntry[]
  /** The `before` value of the next page, or null on the last. */
  nextBefore: number | null
}

export interface MatcherView {
  name: string
  op: '=' | '!=' | '=~' | '!~'
  value: string
}

/** A silence, Alertmanager's model. */
export interface SilenceView {
  id: string
  matchers: MatcherView[]
  startsAt: string
  endsAt: string
  createdBy: string
  comment: string
  updatedAt: string
  status: 'pending' | 'active' | 'expired'
}

/** GET /v1/silences. */
export interface SilencesResponse {
  silences: SilenceView[]
}

/**
 * POST /v1/silences: a new silence, or an update of `id`. Matchers as strings
 * (`alertname=PeerDead`, `peer=~"web-.*"`) or objects; times as ISO strings, or a duration.
 */
export interface SilenceRequest {
  id?: string
  matchers: (string | MatcherView)[]
  startsAt?: string
  endsAt?: string
  /** Alternative to endsAt: `2h`, `30m`, or milliseconds. */
  duration?: string | number
  createdBy: string
  comment?: string
}

/** POST /v1/members/{id}/force-leave. */
export interface ForceLeaveResponse {
  id: string
  name: string
  /** True when the leave was also gossiped to the cluster. */
  cluster: boolean
}
