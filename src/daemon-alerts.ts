/**
 * Alerting's part of the composition root: the pure core of src/alerts/ (evaluation, lifecycle,
 * inhibition, silences, who notifies, grouping) driven once per evaluation interval on the
 * injected Clock, its state kept in SQLite (src/store/alert-store.ts), its notifications handed
 * to the shells of src/notify/ (bounded queues that return at once: a hung receiver never
 * delays this loop, let alone detection), and its cluster-wide state (notifiedBy marks,
 * silences) exchanged through `AlertingGossip`.
 *
 * One step, in order: drain the samples admitted since the last step, evaluate them with the
 * snapshots (checks, peers once the view has settled, node facts), tell in-process listeners and
 * the exec hook of each transition, run the notification pipeline, deliver, gossip our marks,
 * then persist what changed before the next step. Every step is caught at this boundary: a
 * throw is counted and logged, and the next step runs as usual.
 */
import type { DatabaseSync } from 'node:sqlite'
import { effectiveRules } from './alerts/builtin-rules.ts'
import { createEvaluator, evaluate, type EvaluatorState, type NodeFacts, type PeerFact } from './alerts/evaluator.ts'
import { createGrouping, notificationLogRows, type GroupingState, type NotifiableAlert, type Notification } from './alerts/grouping.ts'
import { BUILTIN_INHIBIT_RULES, compileInhibitRule } from './alerts/inhibition.ts'
import { isFiring, type AlertInstance, type Transition } from './alerts/instance.ts'
import { parseMatcher, type Matcher } from './alerts/matchers.ts'
import { restoreAlerts } from './alerts/persistence.ts'
import { createPipeline, pipelineStep, type Muting, type PipelineState } from './alerts/pipeline.ts'
import { createSilenceSet, expireSilence, gcSilences, silenceRows, upsertSilence, type Silence } from './alerts/silences.ts'
import type { NotifiedMark } from './alerts/who-notifies.ts'
import type { AlertHistoryResponse, AlertsResponse, SilenceRequest, SilenceView } from './api/alert-protocol.ts'
import { alertView, filterAlerts, silenceView, type AlertFilter, type AlertViewContext } from './api/alert-views.ts'
import type { Config } from './config/schema.ts'
import { HealthmonError } from './errors.ts'
import type { CheckReport, Sample } from './health/types.ts'
import { AlertmanagerPusher } from './notify/alertmanager-push.ts'
import { CallbackDispatcher, type Listener } from './notify/callbacks.ts'
import { ExecHook } from './notify/exec-hook.ts'
import { WebhookNotifier } from './notify/webhook.ts'
import type { Clock, Timer } from './runtime/clock.ts'
import type { Logger } from './runtime/logger.ts'
import type { Random } from './runtime/random.ts'
import { AlertStore } from './store/alert-store.ts'
import { MarkBook } from './alerts/mark-book.ts'

/** How the alerting runtime reads the cluster (the ClusterNode implements it in daemon.ts). */
export interface AlertClusterSource {
  selfId(): string
  /** The view's peers; undefined while the view has not settled (just started, still joining). */
  peers(): PeerFact[] | undefined
  observersOf(subjectId: string): readonly string[]
  isLive(id: string): boolean
  nameOf(id: string): string | undefined
  facts(): NodeFacts
}

/** The cluster-wide exchange of marks and silences (the node's `alerting` gossip). */
export interface AlertingGossip {
  publish(update: { marks?: readonly NotifiedMark[]; silences?: readonly Silence[] }): void
  subscribe(listener: (update: { from: string; marks: readonly NotifiedMark[]; silences: readonly Silence[] }) => void): () => void
}

/** What `onAlert` listeners get: each transition, and each notification this agent sent. */
export type AlertNotice = { kind: 'transition'; transition: Transition } | { kind: 'notification'; notification: Notification }

export interface AlertRuntimeDeps {
  config: Readonly<Config>
  clock: Clock
  random: Random
  logger: Logger
  cluster: AlertClusterSource
  checks: () => readonly CheckReport[]
  /** The data dir's database; absent: alert state lives in memory only. */
  db?: DatabaseSync
  gossip?: AlertingGossip
  /** Listeners registered before the runtime existed (the embedding API's onAlert). */
  callbacks?: CallbackDispatcher<AlertNotice>
  /** The URL people can look at (Alertmanager's externalURL), e.g. the agent's HTTP listener. */
  externalUrl?: string
}

export interface AlertCounters {
  steps: number
  stepErrors: number
  transitions: number
  notifications: number
  samplesDropped: number
  marksReceived: number
  silencesReceived: number
  silencesInvalid: number
  persistErrors: number
}

/** Samples held between two steps; past it the oldest are dropped and counted. */
export const PENDING_SAMPLES_MAX = 50_000
/** Every this many steps the runtime rewrites all instances (fresh lastSeenAt), collects silences, prunes history. */
const HOUSEKEEPING_STEPS = 60
/** Expired silences are still re-sent this long, so an expiry reaches members that missed it. */
const SILENCE_EXPIRY_GOSSIP_MS = 3_600_000
/** Receiver name in the webhook payload. */
const RECEIVER = 'healthmon'

export class AlertRuntime {
  readonly callbacks: CallbackDispatcher<AlertNotice>
  readonly counters: AlertCounters = { steps: 0, stepErrors: 0, transitions: 0, notifications: 0, samplesDropped: 0, marksReceived: 0, silencesReceived: 0, silencesInvalid: 0, persistErrors: 0 }
  readonly evaluator: EvaluatorState
  readonly grouping: GroupingState
  readonly pipeline: PipelineState
  readonly store: AlertStore | undefined
  readonly webhooks: WebhookNotifier[]
  readonly pusher: AlertmanagerPusher | undefined
  readonly exec: ExecHook | undefined
  private readonly d: AlertRuntimeDeps
  private readonly marks: MarkBook
  private pending: Sample[] = []
  private muted = new Map<string, Muting>()
  private notifiable: NotifiableAlert[] = []
  private saved = new Set<string>()
  private timer: Timer | undefined
  private unsubscribe: (() => void) | undefined

  constructor(deps: AlertRuntimeDeps) {
    this.d = deps
    const c = deps.config
    this.callbacks = deps.callbacks ?? new CallbackDispatcher((err) => deps.logger.warn({ err }, 'an alert listener threw'))
    this.evaluator = createEvaluator({ rules: effectiveRules(c.alertRules), selfName: c.name, activeAlertsMax: c.alertActiveMax, sweepIntervalMs: c.alertEvaluationIntervalMs })
    this.store = deps.db === undefined ? undefined : new AlertStore(deps.db, { historyRowsMax: c.alertHistoryRowsMax, historyRetentionMs: c.alertHistoryRetentionMs })
    this.grouping = createGrouping({
      groupBy: c.alertGroupBy, groupWaitMs: c.alertGroupWaitMs, groupIntervalMs: c.alertGroupIntervalMs, repeatIntervalMs: c.alertRepeatIntervalMs
    }, this.store?.loadNotificationLog() ?? [])
    const silences = createSilenceSet({ silencesMax: c.silencesMax, retentionMs: c.silenceRetentionMs })
    const inhibit = [...BUILTIN_INHIBIT_RULES, ...c.alertInhibitRules].map(compileInhibitRule)
    this.pipeline = createPipeline(this.grouping, silences, inhibit)
    this.marks = new MarkBook()
    const now = deps.clock.now()
    if (this.store !== undefined) {
      for (const s of this.store.loadSilences()) {
        try { upsertSilence(silences, s, now) } catch { this.counters.silencesInvalid++ }
      }
      const rows = this.store.loadInstances()
      const restored = restoreAlerts(this.evaluator, rows, now, c.alertRestoreToleranceMs)
      for (const r of rows) this.saved.add(r.fingerprint)
      if (rows.length > 0) deps.logger.info({ restored, stored: rows.length }, 'alert state restored')
    }
    const delivery = { clock: deps.clock, random: deps.random, logger: deps.logger, queueLengthMax: c.alertQueueLengthMax, timeoutMs: c.alertDeliveryTimeoutMs, attemptsMax: c.alertDeliveryAttemptsMax }
    const payload = { receiver: RECEIVER, externalUrl: deps.externalUrl ?? '' }
    this.webhooks = c.alertWebhooks.map((w) => new WebhookNotifier({ ...delivery, random: deps.random.fork(), url: w.url, payload }))
    this.pusher = c.alertmanagerUrls.length > 0 ? new AlertmanagerPusher({ ...delivery, random: deps.random.fork(), urls: c.alertmanagerUrls }) : undefined
    this.exec = c.alertExec.length > 0 ? new ExecHook({ argv: c.alertExec, timeoutMs: c.alertExecTimeoutMs, clock: deps.clock, logger: deps.logger }) : undefined
  }

  start(): void {
    if (this.timer !== undefined) return
    this.unsubscribe = this.d.gossip?.subscribe((u) => this.received(u))
    this.pusher?.start(() => this.notifiable)
    this.timer = this.d.clock.setInterval(() => this.step(), this.d.config.alertEvaluationIntervalMs)
  }

  async stop(): Promise<void> {
    this.timer?.cancel()
    this.timer = undefined
    this.unsubscribe?.()
    this.pusher?.stop()
    for (const w of this.webhooks) w.stop()
    this.exec?.stop()
    this.persistAll()
    await Promise.resolve()
  }

  /** Listeners for library users; allowed before start(). */
  onAlert(listener: Listener<AlertNotice>): () => void {
    return this.callbacks.on(listener)
  }

  /** Samples admitted by node health and check perfdata; evaluated at the next step. */
  admit(samples: readonly Sample[]): void {
    for (const s of samples) this.pending.push(s)
    if (this.pending.length > PENDING_SAMPLES_MAX) {
      const excess = this.pending.length - PENDING_SAMPLES_MAX
      this.pending.splice(0, excess)
      this.counters.samplesDropped += excess
    }
  }

  /** One evaluation step (the timer's; tests call it on virtual time). */
  step(): void {
    this.counters.steps++
    try {
      this.runStep()
    } catch (err) {
      this.counters.stepErrors++
      this.d.logger.error({ err }, 'alert evaluation step failed; the next step runs as usual')
    }
  }

  private runStep(): void {
    const now = this.d.clock.now()
    const samples = this.pending
    this.pending = []
    const peers = this.d.cluster.peers()
    const transitions = evaluate(this.evaluator, { samples, checks: this.d.checks(), node: this.d.cluster.facts(), ...(peers === undefined ? {} : { peers }) }, now)
    this.counters.transitions += transitions.length
    for (const t of transitions) {
      this.callbacks.dispatch({ kind: 'transition', transition: t })
      this.exec?.run(t)
      if (t.type !== 'alert:pending') this.d.logger.info({ alert: t.alert.rule, labels: t.alert.labels, from: t.previous, to: t.alert.state, severity: t.alert.severity }, t.alert.annotations.summary ?? `${t.alert.rule} ${t.alert.state}`)
    }
    const c = this.d.cluster
    const selfId = c.selfId()
    const result = pipelineStep(this.pipeline, this.evaluator.instances.values(), {
      self: selfId, observersOf: (s) => c.observersOf(s), isLive: (id) => c.isLive(id),
      marksFor: (fp) => this.marks.of(fp), handoverDelayMs: this.d.config.alertHandoverDelayMs
    }, now)
    this.muted = result.muted
    this.notifiable = result.notifiable
    for (const n of result.notifications) {
      this.counters.notifications++
      for (const w of this.webhooks) w.notify(n)
      this.callbacks.dispatch({ kind: 'notification', notification: n })
      this.d.logger.info({ groupKey: n.groupKey, status: n.status, alerts: n.alerts.length }, 'alert notification sent')
    }
    this.pusher?.send(result.notifiable)
    if (result.marks.length > 0) {
      for (const m of result.marks) this.marks.add(m)
      this.d.gossip?.publish({ marks: result.marks })
    }
    const changed = new Set(transitions.map((t) => t.alert.fingerprint))
    for (const m of result.marks) changed.add(m.fingerprint)
    // The pipeline stamped lastNotifiedAtMs on what it sent: persisted, a restart does not re-send.
    if (result.notifications.length > 0) for (const a of this.evaluator.instances.values()) if (a.lastNotifiedAtMs === now) changed.add(a.fingerprint)
    this.persist(changed, transitions.filter((t) => t.type === 'alert:resolved').map((t) => t.alert), result.notifications.length > 0)
    if (this.counters.steps % HOUSEKEEPING_STEPS === 0) this.housekeeping(now)
  }

  private persist(changed: ReadonlySet<string>, resolved: readonly AlertInstance[], logChanged: boolean): void {
    const store = this.store
    if (store === undefined) return
    const rows: AlertInstance[] = []
    for (const fp of changed) {
      const a = this.evaluator.instances.get(fp)
      if (a !== undefined) rows.push(a)
    }
    const removed: string[] = []
    for (const fp of this.saved) if (!this.evaluator.instances.has(fp)) removed.push(fp)
    if (rows.length === 0 && removed.length === 0 && resolved.length === 0 && !logChanged) return
    try {
      store.saveInstances(rows, removed, resolved)
      for (const a of rows) this.saved.add(a.fingerprint)
      for (const fp of removed) this.saved.delete(fp)
      if (logChanged) store.saveNotificationLog(notificationLogRows(this.grouping))
    } catch (err) {
      this.counters.persistErrors++
      this.d.logger.warn({ err }, 'could not write alert state; retrying at the next change')
    }
  }

  private persistAll(): void {
    this.persist(new Set(this.evaluator.instances.keys()), [], true)
  }

  private housekeeping(now: number): void {
    this.persistAll()
    const before = new Set(this.pipeline.silences.byId.keys())
    if (gcSilences(this.pipeline.silences, now) > 0) {
      const gone = [...before].filter((id) => !this.pipeline.silences.byId.has(id))
      this.saveSilences([], gone)
    }
    this.marks.prune(now, (fp) => this.evaluator.instances.has(fp))
    try {
      this.store?.pruneHistory(now)
    } catch (err) {
      this.counters.persistErrors++
      this.d.logger.warn({ err }, 'could not prune alert history')
    }
  }

  private received(u: { from: string; marks: readonly NotifiedMark[]; silences: readonly Silence[] }): void {
    this.counters.marksReceived += u.marks.length
    for (const m of u.marks) this.marks.add({ ...m, by: u.from })
    const now = this.d.clock.now()
    const changed: Silence[] = []
    for (const s of u.silences) {
      this.counters.silencesReceived++
      try {
        const r = upsertSilence(this.pipeline.silences, s, now)
        if (r === 'added' || r === 'updated') changed.push(s)
      } catch {
        this.counters.silencesInvalid++
      }
    }
    if (changed.length > 0) this.saveSilences(changed, [])
  }

  private saveSilences(silences: readonly Silence[], removed: readonly string[]): void {
    if (this.store === undefined) return
    try {
      this.store.saveSilences(silences, removed)
    } catch (err) {
      this.counters.persistErrors++
      throw new HealthmonError('STORE_UNAVAILABLE', `could not write silences: ${(err as Error).message}`, { cause: err })
    }
  }

  // ---- queries (the socket API) ---------------------------------------------------------------

  private viewContext(): AlertViewContext {
    return { muted: (fp) => this.muted.get(fp), marks: (fp) => this.marks.of(fp), nameOf: (id) => this.d.cluster.nameOf(id) }
  }

  alerts(filter: AlertFilter): AlertsResponse {
    const ctx = this.viewContext()
    return filterAlerts([...this.evaluator.instances.values()].map((a) => alertView(a, ctx)), filter)
  }

  history(q: { beforeId?: number; sinceMs?: number; untilMs?: number; limit: number }): AlertHistoryResponse {
    if (this.store === undefined) throw new HealthmonError('UNAVAILABLE', 'this agent keeps no alert history (historyEnabled is false)')
    const page = this.store.history(q)
    const ctx: AlertViewContext = { muted: () => undefined, marks: () => [], nameOf: (id) => this.d.cluster.nameOf(id) }
    return { alerts: page.entries.map((e) => ({ ...alertView(e.alert, ctx), id: e.id })), nextBefore: page.nextBefore ?? null }
  }

  /** Firing alerts that are neither silenced nor inhibited (what health derives from). */
  activeAlerts(): AlertInstance[] {
    return [...this.evaluator.instances.values()].filter((a) => {
      if (!isFiring(a)) return false
      const m = this.muted.get(a.fingerprint)
      return m === undefined || (m.silencedBy.length === 0 && !m.inhibited)
    })
  }

  /**
   * What the node re-sends in its anti-entropy rounds (and to members that join): pending and
   * active silences, and those expired within the last hour, so an expiry reaches a node that
   * missed it too.
   */
  silencesToGossip(): Silence[] {
    const now = this.d.clock.now()
    return silenceRows(this.pipeline.silences).filter((s) => s.endsAtMs > now - SILENCE_EXPIRY_GOSSIP_MS)
  }

  silences(): SilenceView[] {
    const now = this.d.clock.now()
    return silenceRows(this.pipeline.silences).map((s) => silenceView(s, now)).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
  }

  /** POST /v1/silences: validated, written to SQLite, then gossiped; throws SILENCE_INVALID / SILENCES_FULL. */
  addSilence(req: SilenceRequest): SilenceView {
    const now = this.d.clock.now()
    const silence = this.silenceFrom(req, now)
    const existing = this.pipeline.silences.byId.get(silence.id)
    const r = upsertSilence(this.pipeline.silences, silence, now)
    if (r === 'full') throw new HealthmonError('SILENCES_FULL', `${this.d.config.silencesMax} silences are held (silencesMax); expire some first`)
    try {
      this.saveSilences([silence], [])
    } catch (err) {
      // Not durable, so not accepted: undo.
      if (existing === undefined) this.pipeline.silences.byId.delete(silence.id)
      else this.pipeline.silences.byId.set(silence.id, existing)
      throw err
    }
    this.d.gossip?.publish({ silences: [silence] })
    return silenceView(silence, now)
  }

  /** DELETE /v1/silences/{id}: expires it now, cluster-wide; throws SILENCE_NOT_FOUND. */
  expireSilence(id: string): SilenceView {
    const now = this.d.clock.now()
    if (!expireSilence(this.pipeline.silences, id, now)) throw new HealthmonError('SILENCE_NOT_FOUND', `no live silence with id "${id}"`)
    const s = this.pipeline.silences.byId.get(id)!.silence
    this.saveSilences([s], [])
    this.d.gossip?.publish({ silences: [s] })
    return silenceView(s, now)
  }

  private silenceFrom(req: SilenceRequest, now: number): Silence {
    const bad = (message: string): never => { throw new HealthmonError('SILENCE_INVALID', `invalid silence: ${message}`) }
    if (typeof req !== 'object' || req === null) bad('the body must be a JSON object')
    if (!Array.isArray(req.matchers)) bad('"matchers" must be a list, e.g. ["alertname=PeerDead", "peer=web-3"]')
    const matchers: Matcher[] = req.matchers.map((m, i) => {
      if (typeof m === 'string') {
        try { return parseMatcher(m) } catch (err) { return bad(`matchers[${i}]: ${(err as Error).message}`) }
      }
      if (typeof m === 'object' && m !== null && typeof m.name === 'string' && typeof m.op === 'string' && typeof m.value === 'string') return { name: m.name, op: m.op, value: m.value }
      return bad(`matchers[${i}] must be a string such as "peer=web-3" or {name, op, value}`)
    })
    const time = (key: 'startsAt' | 'endsAt'): number | undefined => {
      const v = req[key]
      if (v === undefined) return undefined
      const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN
      return Number.isFinite(ms) ? ms : bad(`"${key}" must be an ISO 8601 time`)
    }
    const startsAtMs = time('startsAt') ?? now
    let endsAtMs = time('endsAt')
    if (req.duration !== undefined) {
      if (endsAtMs !== undefined) bad('give "endsAt" or "duration", not both')
      const d = parseDurationMs(req.duration)
      if (d === undefined) bad('"duration" must be like 30m, 2h, 1d or milliseconds')
      endsAtMs = startsAtMs + d!
    }
    if (endsAtMs === undefined) bad('"endsAt" or "duration" is required')
    if (endsAtMs! <= now) bad('the silence would end in the past')
    if (typeof req.createdBy !== 'string') bad('"createdBy" is required (who made it)')
    if (req.comment !== undefined && typeof req.comment !== 'string') bad('"comment" must be a string')
    if (req.id !== undefined && (typeof req.id !== 'string' || !this.pipeline.silences.byId.has(req.id))) bad(`"id" names no silence here: leave it out to create one`)
    const id = req.id ?? randomId(this.d.random)
    const silence: Silence = { id, matchers, startsAtMs, endsAtMs: endsAtMs!, createdBy: req.createdBy, comment: req.comment ?? '', updatedAtMs: Math.max(now, (this.pipeline.silences.byId.get(id)?.silence.updatedAtMs ?? 0) + 1) }
    return silence
  }

  /** ALERTS{alertname,alertstate,severity} for /metrics: counts per label set. */
  alertCounts(): { alertname: string; alertstate: string; severity: string; count: number }[] {
    const counts = new Map<string, { alertname: string; alertstate: string; severity: string; count: number }>()
    for (const a of this.evaluator.instances.values()) {
      if (a.state === 'resolved') continue
      const alertstate = a.state === 'pending' ? 'pending' : 'firing'
      const key = `${a.rule}\u0000${alertstate}\u0000${a.severity}`
      const entry = counts.get(key) ?? { alertname: a.rule, alertstate, severity: a.severity, count: 0 }
      entry.count++
      counts.set(key, entry)
    }
    return [...counts.values()]
  }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/** `90s`, `30m`, `2h`, `1d`, `1h30m`, or a number of milliseconds. */
export function parseDurationMs(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v > 0 ? v : undefined
  if (/^\d{1,15}$/.test(v)) return Number(v) > 0 ? Number(v) : undefined
  const re = /(\d{1,9})(ms|s|m|h|d|w)/gy
  let total = 0
  let consumed = 0
  for (let m = re.exec(v); m !== null; m = re.exec(v)) {
    total += Number(m[1]) * UNITS[m[2]!]!
    consumed = re.lastIndex
  }
  return consumed === v.length && v.length > 0 && total > 0 && total <= 10 * 365 * 86_400_000 ? total : undefined
}

function randomId(random: Random): string {
  let s = ''
  for (let i = 0; i < 4; i++) s += random.int(0x1_0000_0000).toString(16).padStart(8, '0')
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`
}
