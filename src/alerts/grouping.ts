import type { Labels } from './labels.ts'
import { sortedLabels } from './labels.ts'

/**
 * Aggregation groups with Alertmanager's semantics (dispatch.go's aggrGroup and notify.go's
 * DedupStage), pure: `groupStep(state, alerts, nowMs)` returns the notifications due.
 *
 * - Alerts are grouped by the values of `groupBy` labels (`['...']`: by every label, i.e. one
 *   group per alert). A new group waits groupWaitMs before its first flush, so alerts that start
 *   together go out together; later flushes come every groupIntervalMs.
 * - At a flush the group notifies when (DedupStage.needsUpdate): nothing was sent yet and some
 *   alert fires; a firing alert was not in the last notification; a resolved alert was told as
 *   firing and not yet as resolved; or repeatIntervalMs passed since the last notification and
 *   something still fires. So: at most one notification per group per interval, and an alert
 *   resolved within groupWait never notifies.
 * - Two deviations, on purpose, so that "an alert resolved within groupWait never notifies"
 *   holds for every alert and not only for the first of a new group: a firing alert is listed
 *   only once it has fired for groupWaitMs (one joining an old group just before its flush waits
 *   for the next flush), and a resolved alert is listed only to receivers that were told it fired
 *   (Alertmanager would list both in the group's next notification).
 * - The notification log (what each group last told, when) is plain JSON rows: persisted, it makes
 *   a restart safe: the rebuilt groups wait groupWait, compare with the log, and stay quiet about
 *   what was already sent within the repeat interval.
 *
 * The input is the whole current set of notifiable alerts (already filtered for silences,
 * inhibition and who-notifies); resolved alerts must stay in it at least one groupInterval.
 */
export interface NotifiableAlert {
  fingerprint: string
  /** Labels as sent (severity included). */
  labels: Labels
  annotations: Readonly<Record<string, string>>
  status: 'firing' | 'resolved'
  startsAtMs: number
  endsAtMs: number | null
  /** When it began to fire (after forMs): it is listed only once it has fired groupWaitMs. */
  sinceMs: number
}

export interface GroupingOptions {
  groupBy: readonly string[]
  groupWaitMs: number
  groupIntervalMs: number
  repeatIntervalMs: number
  /** Limit: groups held at once; alerts of a group past it are not notified, counted. */
  groupsMax: number
  /** Limit: notification-log entries; the oldest is forgotten past it. */
  logEntriesMax: number
  /** Log entries older than this are forgotten (Alertmanager's nflog keeps 120 h). */
  logRetentionMs: number
}

export const GROUPING_DEFAULTS: GroupingOptions = {
  groupBy: ['alertname'],
  groupWaitMs: 30_000,
  groupIntervalMs: 5 * 60_000,
  repeatIntervalMs: 4 * 3_600_000,
  groupsMax: 10_000,
  logEntriesMax: 10_000,
  logRetentionMs: 120 * 3_600_000
}

/** What one group last told its receivers (a notification-log row). */
export interface NotificationLogEntry {
  groupKey: string
  firing: string[]
  resolved: string[]
  atMs: number
}

export interface Notification {
  groupKey: string
  groupLabels: Record<string, string>
  status: 'firing' | 'resolved'
  alerts: NotifiableAlert[]
  atMs: number
}

interface Group {
  key: string
  labels: Record<string, string>
  nextFlushAtMs: number
}

export interface GroupingState {
  readonly options: GroupingOptions
  readonly groups: Map<string, Group>
  readonly log: Map<string, NotificationLogEntry>
  readonly counters: { notifications: number; groupsRefused: number; logForgotten: number }
  /** groupOf per label set (the pipeline hands the same label objects every step). */
  readonly groupCache: WeakMap<Labels, { key: string; labels: Record<string, string> }>
}

export function createGrouping(options: Partial<GroupingOptions> = {}, log: readonly NotificationLogEntry[] = []): GroupingState {
  return {
    options: { ...GROUPING_DEFAULTS, ...options },
    groups: new Map(),
    log: new Map(log.map((e) => [e.groupKey, structuredClone(e)])),
    counters: { notifications: 0, groupsRefused: 0, logForgotten: 0 },
    groupCache: new WeakMap()
  }
}

/** Alertmanager's group key form: `{}:{alertname="PeerDead",peer="web-3"}`. */
export function groupOf(labels: Labels, groupBy: readonly string[]): { key: string; labels: Record<string, string> } {
  const picked: Record<string, string> = {}
  if (groupBy.length === 1 && groupBy[0] === '...') Object.assign(picked, labels)
  else for (const name of groupBy) if (labels[name] !== undefined) picked[name] = labels[name]
  const sorted = sortedLabels(picked)
  const body = Object.entries(sorted).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')
  return { key: `{}:{${body}}`, labels: sorted }
}

function needsUpdate(entry: NotificationLogEntry | undefined, told: Set<string>, firing: readonly string[], resolved: readonly string[], nowMs: number, repeatMs: number): boolean {
  if (firing.some((fp) => !told.has(fp))) return true
  // `resolved` holds only alerts someone was told fired: their resolution is news once.
  const toldResolved = new Set(entry?.resolved ?? [])
  if (resolved.some((fp) => !toldResolved.has(fp))) return true
  if (entry === undefined || firing.length === 0) return false
  return entry.atMs <= nowMs - repeatMs
}

/**
 * One step: buckets the current alerts into groups, flushes the groups that are due. `others`
 * are fingerprints another agent already notified as firing (who-notifies marks): taking over
 * such an alert does not repeat its firing notification, and its resolution is still told.
 */
export function groupStep(state: GroupingState, alerts: readonly NotifiableAlert[], nowMs: number, others: ReadonlySet<string> = new Set()): Notification[] {
  const o = state.options
  const buckets = new Map<string, { labels: Record<string, string>; alerts: NotifiableAlert[] }>()
  for (const a of alerts) {
    let g = state.groupCache.get(a.labels)
    if (g === undefined) state.groupCache.set(a.labels, (g = groupOf(a.labels, o.groupBy)))
    const bucket = buckets.get(g.key)
    if (bucket === undefined) buckets.set(g.key, { labels: g.labels, alerts: [a] })
    else bucket.alerts.push(a)
  }
  for (const [key, bucket] of buckets) {
    if (state.groups.has(key)) continue
    // A group of resolved alerts only matters if someone was told they fired.
    const told = new Set(state.log.get(key)?.firing ?? [])
    if (!bucket.alerts.some((a) => a.status === 'firing' || told.has(a.fingerprint) || others.has(a.fingerprint))) continue
    if (state.groups.size >= o.groupsMax) {
      state.counters.groupsRefused++
      continue
    }
    state.groups.set(key, { key, labels: bucket.labels, nextFlushAtMs: nowMs + o.groupWaitMs })
  }
  const out: Notification[] = []
  for (const [key, group] of state.groups) {
    if (nowMs < group.nextFlushAtMs) continue
    while (group.nextFlushAtMs <= nowMs) group.nextFlushAtMs += o.groupIntervalMs
    const bucket = buckets.get(key)
    if (bucket === undefined) { // all its alerts are gone: the group ends (its log stays)
      state.groups.delete(key)
      continue
    }
    const entry = state.log.get(key)
    const told = new Set(entry?.firing ?? [])
    for (const a of bucket.alerts) if (others.has(a.fingerprint)) told.add(a.fingerprint)
    const firing = bucket.alerts.filter((a) => a.status === 'firing' && nowMs - a.sinceMs >= o.groupWaitMs)
    const young = bucket.alerts.some((a) => a.status === 'firing' && nowMs - a.sinceMs < o.groupWaitMs)
    const resolved = bucket.alerts.filter((a) => a.status === 'resolved' && told.has(a.fingerprint))
    const firingFps = firing.map((a) => a.fingerprint)
    const resolvedFps = resolved.map((a) => a.fingerprint)
    if (!needsUpdate(entry, told, firingFps, resolvedFps, nowMs, o.repeatIntervalMs)) {
      if (firing.length === 0 && !young && resolved.every((a) => entry?.resolved.includes(a.fingerprint) ?? true)) state.groups.delete(key)
      continue
    }
    const sent = [...firing, ...resolved.filter((a) => !(entry?.resolved.includes(a.fingerprint) ?? false))]
    if (sent.length === 0) continue // what was told vanished unresolved (silenced, inhibited): nothing to say
    out.push({ groupKey: key, groupLabels: group.labels, status: firing.length > 0 ? 'firing' : 'resolved', alerts: sent, atMs: nowMs })
    state.counters.notifications++
    state.log.delete(key) // re-insert: the map's order is the log's age order
    state.log.set(key, { groupKey: key, firing: firingFps, resolved: resolvedFps, atMs: nowMs })
    if (firing.length === 0 && !young) state.groups.delete(key)
  }
  forgetOldLog(state, nowMs)
  return out
}

function forgetOldLog(state: GroupingState, nowMs: number): void {
  for (const [key, entry] of state.log) {
    if (state.log.size <= state.options.logEntriesMax && entry.atMs > nowMs - state.options.logRetentionMs) break
    state.log.delete(key)
    state.counters.logForgotten++
  }
}

/** The earliest time a group is due to flush (to schedule the next step), or undefined. */
export function nextFlushMs(state: GroupingState): number | undefined {
  let next: number | undefined
  for (const g of state.groups.values()) if (next === undefined || g.nextFlushAtMs < next) next = g.nextFlushAtMs
  return next
}

/** The notification log as rows to persist. */
export function notificationLogRows(state: GroupingState): NotificationLogEntry[] {
  return [...state.log.values()].map((e) => structuredClone(e))
}
