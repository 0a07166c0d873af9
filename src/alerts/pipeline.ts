import { groupStep, nextFlushMs, type GroupingState, type NotifiableAlert, type Notification } from './grouping.ts'
import { inhibited, type InhibitRule } from './inhibition.ts'
import { isFiring, type AlertInstance } from './instance.ts'
import { fingerprint, type Labels } from './labels.ts'
import { silencedBy, type SilenceSet } from './silences.ts'
import { whoNotifies, type NotifiedMark } from './who-notifies.ts'

/**
 * The notification pipeline after evaluation, in Alertmanager's order: inhibition (sources are
 * all firing alerts, silenced ones included), silences, then our cluster rule (who notifies),
 * then grouping and dedup. Pure: the caller passes the instances, the cluster facts and `nowMs`;
 * it gets the notifications to deliver and, for the view, why each muted alert is muted.
 *
 * The notification identity of an alert is the fingerprint of its labels *with* severity, as
 * Alertmanager would see them: an escalation from warning to critical is news to the group and
 * goes out at its next flush, while the instance (and its silences) keep their identity.
 */
export interface ClusterFacts {
  /** This agent's id. */
  self: string
  /** A subject's observers in ring order (src/membership/rings.ts observersOf). */
  observersOf(subjectId: string): readonly string[]
  isLive(id: string): boolean
  /** notifiedBy marks other agents made for an alert instance (by instance fingerprint). */
  marksFor(fingerprint: string): readonly NotifiedMark[]
  handoverDelayMs: number
}

export interface PipelineState {
  readonly grouping: GroupingState
  readonly silences: SilenceSet
  readonly inhibitRules: readonly InhibitRule[]
  /** Notification fingerprint per instance and severity (a fingerprint costs a hash). */
  readonly sentFingerprints: WeakMap<AlertInstance, { severity: string; fingerprint: string; labels: Labels }>
}

export interface Muting {
  silencedBy: readonly string[]
  inhibited: boolean
  /** Why this agent does not notify it (another observer does), if so. */
  notNotifiedBecause?: string
}

export interface PipelineResult {
  notifications: Notification[]
  /** The muted or not-ours alerts, by instance fingerprint. */
  muted: Map<string, Muting>
  /** When to run the pipeline again at the latest (a group flush or a handover deadline). */
  nextDueMs: number | undefined
  /** The alerts fed to grouping (also what an Alertmanager push sends). */
  notifiable: NotifiableAlert[]
  /**
   * notifiedBy marks for the peer alerts this step notified, to gossip to the other agents
   * (they feed their ClusterFacts.marksFor) and to show in the view.
   */
  marks: NotifiedMark[]
}

export function createPipeline(grouping: GroupingState, silences: SilenceSet, inhibitRules: readonly InhibitRule[]): PipelineState {
  return { grouping, silences, inhibitRules, sentFingerprints: new WeakMap() }
}

function sentLabels(state: PipelineState, a: AlertInstance): { fingerprint: string; labels: Labels } {
  const cached = state.sentFingerprints.get(a)
  if (cached !== undefined && cached.severity === a.severity) return cached
  const labels = { ...a.labels, severity: a.severity }
  const entry = { severity: a.severity, fingerprint: fingerprint(labels), labels }
  state.sentFingerprints.set(a, entry)
  return entry
}

export function pipelineStep(state: PipelineState, instances: Iterable<AlertInstance>, facts: ClusterFacts, nowMs: number): PipelineResult {
  const candidates: { a: AlertInstance; fingerprint: string; labels: Labels }[] = []
  for (const a of instances) {
    if (a.state === 'pending' || (a.state === 'resolved' && a.firedAtMs === null)) continue
    candidates.push({ a, ...sentLabels(state, a) })
  }
  const firing = candidates.filter((c) => isFiring(c.a))
  const inhibitedSet = inhibited(state.inhibitRules, firing, candidates)
  const muted = new Map<string, Muting>()
  const notifiable: NotifiableAlert[] = []
  const others = new Set<string>()
  let nextDueMs = nextFlushMs(state.grouping)
  for (const c of candidates) {
    const silenced = silencedBy(state.silences, c.labels, nowMs)
    const isInhibited = inhibitedSet.has(c.fingerprint)
    if (silenced.length > 0 || isInhibited) {
      muted.set(c.a.fingerprint, { silencedBy: silenced, inhibited: isInhibited })
      continue
    }
    const status = c.a.state === 'resolved' ? 'resolved' : 'firing'
    const marks = c.a.subject.kind === 'peer' ? facts.marksFor(c.a.fingerprint) : []
    const episodeSinceMs = status === 'firing' ? c.a.firedAtMs ?? c.a.activeAtMs : c.a.resolvedAtMs ?? nowMs
    const dueSinceMs = episodeSinceMs + state.grouping.options.groupWaitMs
    const decision = whoNotifies({
      self: facts.self, subject: c.a.subject, observers: c.a.subject.kind === 'peer' ? facts.observersOf(c.a.subject.id) : [],
      isLive: facts.isLive, marks: marks.filter((m) => m.status === status), dueSinceMs, markSinceMs: episodeSinceMs - facts.handoverDelayMs,
      nowMs, handoverDelayMs: facts.handoverDelayMs
    })
    if (!decision.notify) {
      muted.set(c.a.fingerprint, { silencedBy: [], inhibited: false, notNotifiedBecause: decision.reason + (decision.by === undefined ? '' : ` ${decision.by}`) })
      if (decision.retryAtMs !== undefined && (nextDueMs === undefined || decision.retryAtMs < nextDueMs)) nextDueMs = decision.retryAtMs
      continue
    }
    // Someone else told this episode's firing already: taking over must not repeat it.
    if (marks.some((m) => m.status === 'firing' && m.by !== facts.self && m.atMs >= (c.a.firedAtMs ?? c.a.activeAtMs) - facts.handoverDelayMs)) others.add(c.fingerprint)
    const annotations = c.a.state === 'flapping' ? { ...c.a.annotations, flapping: 'true' } : c.a.annotations
    notifiable.push({ fingerprint: c.fingerprint, labels: c.labels, annotations, status, startsAtMs: c.a.activeAtMs, endsAtMs: c.a.resolvedAtMs, sinceMs: c.a.firedAtMs ?? c.a.activeAtMs })
  }
  const notifications = groupStep(state.grouping, notifiable, nowMs, others)
  const marks: NotifiedMark[] = []
  if (notifications.length > 0) {
    const byFp = new Map(candidates.map((c) => [c.fingerprint, c.a]))
    for (const n of notifications) for (const alert of n.alerts) {
      const a = byFp.get(alert.fingerprint)
      if (a === undefined) continue
      a.lastNotifiedAtMs = nowMs
      if (a.subject.kind === 'peer') marks.push({ fingerprint: a.fingerprint, status: alert.status, by: facts.self, atMs: nowMs })
    }
  }
  const flush = nextFlushMs(state.grouping)
  if (flush !== undefined && (nextDueMs === undefined || flush < nextDueMs)) nextDueMs = flush
  return { notifications, muted, nextDueMs, notifiable, marks }
}
