/**
 * GET /v1/alerts filters, as a pure function over the alert log (oldest first): `state` (the
 * state the alert is about, the change's `to`), `severity`, `peer` (id or name), `since` (at or
 * after), then `limit` keeps the newest matches, still oldest first.
 */
import type { AlertEntry, AlertsResponse, PeerState, Severity } from './protocol.ts'

export const ALERTS_LIMIT_MAX = 1000

export interface AlertFilter {
  state?: ReadonlySet<PeerState>
  severity?: ReadonlySet<Severity>
  peer?: string
  /** Epoch ms: entries at or after it. */
  sinceMs?: number
  limit?: number
}

export function filterAlerts(entries: readonly AlertEntry[], filter: AlertFilter): AlertsResponse {
  const { state, severity, peer, sinceMs } = filter
  const matches = entries.filter((a) =>
    (state === undefined || state.has(a.to)) &&
    (severity === undefined || severity.has(a.severity)) &&
    (peer === undefined || a.peer === peer || a.peerName === peer) &&
    (sinceMs === undefined || Date.parse(a.at) >= sinceMs))
  const limit = filter.limit ?? ALERTS_LIMIT_MAX
  return { alerts: matches.length > limit ? matches.slice(matches.length - limit) : matches, matched: matches.length }
}
