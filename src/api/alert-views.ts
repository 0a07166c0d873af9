/**
 * Alert instances and silences as the API shows them, and GET /v1/alerts' filters: pure
 * functions over the alerting runtime's state (src/daemon-alerts.ts), so the routes and the
 * dashboard read one shape. Filters: `state`, `severity`, `peer` (id or name), label `matcher`s
 * (Alertmanager's syntax, comma-separated, optionally in braces: `{alertname="PeerDead",peer=~"web-.*"}`),
 * and a time range on when the alert started (`since`, `until`).
 */
import type { AlertInstance } from '../alerts/instance.ts'
import { compileMatcher, matchesAll, parseMatcher, type CompiledMatcher } from '../alerts/matchers.ts'
import type { Muting } from '../alerts/pipeline.ts'
import { silenceState, type Silence } from '../alerts/silences.ts'
import type { NotifiedMark } from '../alerts/who-notifies.ts'
import type { AlertStateName, AlertView, AlertsResponse, SilenceView } from './alert-protocol.ts'
import type { Severity } from './protocol.ts'

export const ALERTS_LIMIT_MAX = 1000
export const ALERT_HISTORY_LIMIT_MAX = 1000

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

export interface AlertViewContext {
  muted(fingerprint: string): Muting | undefined
  marks(fingerprint: string): readonly NotifiedMark[]
  nameOf(id: string): string | undefined
}

export function alertView(a: AlertInstance, ctx: AlertViewContext): AlertView {
  const muting = ctx.muted(a.fingerprint)
  const view: AlertView = {
    fingerprint: a.fingerprint,
    alertname: a.rule,
    state: a.state,
    severity: a.severity,
    labels: { ...a.labels, severity: a.severity },
    annotations: { ...a.annotations },
    subject: a.subject.kind === 'peer' ? { kind: 'peer', id: a.subject.id, name: a.labels['peer'] ?? ctx.nameOf(a.subject.id) ?? a.subject.id } : { kind: 'self' },
    value: a.value,
    startsAt: iso(a.activeAtMs)!,
    firedAt: iso(a.firedAtMs),
    resolvedAt: iso(a.resolvedAtMs),
    lastNotifiedAt: iso(a.lastNotifiedAtMs),
    silencedBy: [...(muting?.silencedBy ?? [])],
    inhibited: muting?.inhibited ?? false,
    notifiedBy: ctx.marks(a.fingerprint).map((m) => {
      const byName = ctx.nameOf(m.by)
      return { by: m.by, ...(byName === undefined ? {} : { byName }), status: m.status, at: iso(m.atMs)! }
    })
  }
  if (muting?.notNotifiedBecause !== undefined) view.notNotifiedBecause = muting.notNotifiedBecause
  return view
}

export function silenceView(s: Silence, nowMs: number): SilenceView {
  return {
    id: s.id,
    matchers: s.matchers.map((m) => ({ name: m.name, op: m.op, value: m.value })),
    startsAt: iso(s.startsAtMs)!,
    endsAt: iso(s.endsAtMs)!,
    createdBy: s.createdBy,
    comment: s.comment,
    updatedAt: iso(s.updatedAtMs)!,
    status: silenceState(s, nowMs)
  }
}

/** Splits `{a="b",c=~"d,e"}` / `a=b,c!=d` into matchers; commas inside quotes stay. Throws RangeError. */
export function parseMatcherList(text: string): CompiledMatcher[] {
  let body = text.trim()
  if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1)
  const parts: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === '\\' && quoted && i + 1 < body.length) { current += c + body[++i]!; continue }
    if (c === '"') quoted = !quoted
    if (c === ',' && !quoted) { parts.push(current); current = ''; continue }
    current += c
  }
  if (quoted) throw new RangeError('a quoted matcher value is not closed')
  parts.push(current)
  const matchers = parts.filter((p) => p.trim() !== '')
  if (matchers.length === 0) throw new RangeError('no matcher given')
  if (matchers.length > 16) throw new RangeError('at most 16 matchers')
  return matchers.map((p) => compileMatcher(parseMatcher(p)))
}

export interface AlertFilter {
  state?: ReadonlySet<AlertStateName>
  severity?: ReadonlySet<Severity>
  peer?: string
  matchers?: readonly CompiledMatcher[]
  /** Epoch ms: alerts that started at or after / before. */
  sinceMs?: number
  untilMs?: number
  limit?: number
}

const STATE_ORDER: Record<AlertStateName, number> = { firing: 0, flapping: 0, pending: 1, resolved: 2 }

export function matchesFilter(v: AlertView, f: AlertFilter): boolean {
  if (f.state !== undefined && !f.state.has(v.state)) return false
  if (f.severity !== undefined && !f.severity.has(v.severity)) return false
  if (f.peer !== undefined && (v.subject.kind !== 'peer' || (v.subject.id !== f.peer && v.subject.name !== f.peer))) return false
  if (f.matchers !== undefined && !matchesAll(f.matchers, v.labels)) return false
  const startsAtMs = Date.parse(v.startsAt)
  if (f.sinceMs !== undefined && startsAtMs < f.sinceMs) return false
  if (f.untilMs !== undefined && startsAtMs >= f.untilMs) return false
  return true
}

/** Firing before pending before resolved, then newest first; at most `limit`. */
export function filterAlerts(views: readonly AlertView[], f: AlertFilter): AlertsResponse {
  const matched = views.filter((v) => matchesFilter(v, f))
  matched.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || Date.parse(b.startsAt) - Date.parse(a.startsAt) || a.fingerprint.localeCompare(b.fingerprint))
  const limit = f.limit ?? ALERTS_LIMIT_MAX
  return { alerts: matched.slice(0, limit), matched: matched.length }
}
