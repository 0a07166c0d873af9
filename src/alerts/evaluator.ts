import type { PeerState, Severity } from '../domain/index.ts'
import type { CheckReport, Sample } from '../health/types.ts'
import { addAdaptivePoint, emptyAdaptive, type AdaptiveSeries } from './adaptive.ts'
import { advance, LIFECYCLE_DEFAULTS, type AlertInstance, type AlertSubject, type LifecycleOptions, type Transition } from './instance.ts'
import { fingerprint, labelsKey, type Labels } from './labels.ts'
import { matchesAll } from './matchers.ts'
import { thresholdSeverity, type Vars } from './thresholds.ts'
import type { CompiledRule, NodeFact } from './rule-config.ts'
import { renderTemplate } from './template.ts'
import { addTrendPoint, emptyTrend, secondsUntilZero, type TrendWindow } from './trend.ts'

/**
 * Rule evaluation and the alert lifecycle as one pure step: `evaluate(state, input, nowMs)`
 * returns the transitions; the state is owned by the caller and updated in place (a Map per
 * concern, for throughput: the hot path is one map lookup per sample and rule). No I/O, no
 * clock, no randomness; the instances serialise as plain JSON rows (persistence.ts).
 *
 * Inputs: `samples` are incremental (a series absent from a batch keeps its last condition
 * until it is stale, Prometheus' 5-minute staleness); `checks`, `peers` and `node` are full
 * snapshots when given (an entity missing from a given snapshot no longer holds its condition).
 */
export interface PeerFact {
  id: string
  name: string
  state: PeerState
}
export type NodeFacts = Partial<Record<NodeFact, number | boolean>>

export interface AlertInput {
  samples?: readonly Sample[]
  checks?: readonly CheckReport[]
  peers?: readonly PeerFact[]
  node?: NodeFacts
}

export interface EvaluatorOptions {
  rules: readonly CompiledRule[]
  /** This node's name: the `node` label of alerts about itself. */
  selfName: string
  lifecycle?: Partial<LifecycleOptions>
  /** Limit: alert instances held (any state); a new one past it is dropped and counted. */
  activeAlertsMax?: number
  /** Limit: per-series state (identity cache, trend and adaptive windows, divisors). */
  seriesMax?: number
  /** A metric series not seen for this long no longer holds its condition. */
  staleMs?: number
  /** Time-driven transitions (forMs, keepFiringForMs, staleness) are checked at least this often. */
  sweepIntervalMs?: number
}

interface Series {
  fingerprint: string
  labels: Labels
  trend: TrendWindow | undefined
  adaptive: AdaptiveSeries | undefined
}

export interface EvaluatorCounters {
  samplesEvaluated: number
  /** New alert instances refused because activeAlertsMax was reached with nothing resolved to evict. */
  alertsDropped: number
  /** Resolved instances forgotten early to make room for a new alert (oldest resolution first). */
  resolvedEvicted: number
  /** Series refused because seriesMax was reached. */
  seriesDropped: number
}

export interface EvaluatorState {
  readonly rules: readonly CompiledRule[]
  readonly rulesByName: Map<string, CompiledRule>
  readonly rulesByMetric: Map<string, CompiledRule[]>
  readonly divisorNames: Set<string>
  readonly options: Required<Omit<EvaluatorOptions, 'rules' | 'lifecycle'>> & { lifecycle: LifecycleOptions }
  readonly instances: Map<string, AlertInstance>
  readonly series: Map<string, Series>
  readonly divisors: Map<string, number>
  cpuCount: number | undefined
  lastSweepMs: number
  /** Fingerprints observed in the current step (the sweep leaves them alone). */
  readonly stepSeen: Set<string>
  /** Resolved instances, oldest resolution first (entries may be stale: checked when used). */
  readonly resolvedOrder: Set<string>
  readonly counters: EvaluatorCounters
}

export const CPU_COUNT_SAMPLE = 'node_cpus'

export function createEvaluator(options: EvaluatorOptions): EvaluatorState {
  const rulesByMetric = new Map<string, CompiledRule[]>()
  const divisorNames = new Set<string>()
  for (const rule of options.rules) {
    if (rule.selector.kind !== 'metric') continue
    const list = rulesByMetric.get(rule.selector.metric) ?? []
    list.push(rule)
    rulesByMetric.set(rule.selector.metric, list)
    if (rule.selector.divideBy !== undefined) divisorNames.add(rule.selector.divideBy)
  }
  return {
    rules: options.rules,
    rulesByName: new Map(options.rules.map((r) => [r.name, r])),
    rulesByMetric,
    divisorNames,
    options: {
      selfName: options.selfName,
      lifecycle: { ...LIFECYCLE_DEFAULTS, ...options.lifecycle },
      activeAlertsMax: options.activeAlertsMax ?? 10_000,
      seriesMax: options.seriesMax ?? 50_000,
      staleMs: options.staleMs ?? 5 * 60_000,
      sweepIntervalMs: options.sweepIntervalMs ?? 1_000
    },
    instances: new Map(),
    series: new Map(),
    divisors: new Map(),
    cpuCount: undefined,
    lastSweepMs: -Infinity,
    stepSeen: new Set(),
    resolvedOrder: new Set(),
    counters: { samplesEvaluated: 0, alertsDropped: 0, resolvedEvicted: 0, seriesDropped: 0 }
  }
}

function render(a: AlertInstance, rule: CompiledRule, vars: Vars): void {
  const all = { ...vars, value: a.value }
  if (rule.summary !== undefined) a.annotations.summary = renderTemplate(rule.summary, a.labels, all)
  if (rule.description !== undefined) a.annotations.description = renderTemplate(rule.description, a.labels, all)
  if (vars.baseline !== undefined) {
    a.annotations.baseline = String(vars.baseline)
    a.annotations.band = `${vars.bandLow}:${vars.bandHigh}`
    a.annotations.value = String(a.value)
  }
}

function activeSeverity(a: AlertInstance | undefined): Severity | undefined {
  return a === undefined || a.state === 'resolved' ? undefined : a.severity
}

/** Applies one observation (a rule's verdict about one identity) to its instance. */
function observe(s: EvaluatorState, fp: string, labels: Labels, subject: AlertSubject, rule: CompiledRule, severity: Severity | null, value: number, vars: Vars, nowMs: number, out: Transition[]): void {
  let a = s.instances.get(fp)
  if (a === undefined) {
    if (severity === null) return
    if (s.instances.size >= s.options.activeAlertsMax && !evictResolved(s)) {
      s.counters.alertsDropped++
      return
    }
    a = {
      fingerprint: fp, rule: rule.name, labels, annotations: {}, state: 'pending', severity, subject, value,
      activeAtMs: nowMs, firedAtMs: null, resolvedAtMs: null, lastNotifiedAtMs: null,
      lastTrueAtMs: nowMs, lastSeenAtMs: nowMs, holding: true, firedTimesMs: []
    }
    s.instances.set(fp, a)
    render(a, rule, vars)
    out.push({ type: 'alert:pending', previous: 'inactive', alert: a })
    freeze(out, out.length - 1, a)
  }
  s.stepSeen.add(fp)
  a.value = value
  a.lastSeenAtMs = nowMs
  a.holding = severity !== null
  const before = out.length
  if (!advance(a, severity, nowMs, rule, s.options.lifecycle, out)) forget(s, fp)
  else if (out.length > before || a.annotations.summary === undefined) render(a, rule, vars)
  freeze(out, before, a, s.resolvedOrder)
}

function forget(s: EvaluatorState, fp: string): void {
  s.instances.delete(fp)
  s.resolvedOrder.delete(fp)
}

/**
 * Full: a new alert matters more than one already resolved, so the oldest resolved instance
 * makes room (its resolution was due to be forgotten anyway). False when none is resolved.
 */
function evictResolved(s: EvaluatorState): boolean {
  for (const fp of s.resolvedOrder) {
    s.resolvedOrder.delete(fp)
    if (s.instances.get(fp)?.state === 'resolved') {
      s.instances.delete(fp)
      s.counters.resolvedEvicted++
      return true
    }
  }
  return false
}

/** Transitions carry a copy of the instance as it is now, not the live object the next step changes. */
function freeze(out: Transition[], from: number, a: AlertInstance, resolvedOrder?: Set<string>): void {
  for (let i = from; i < out.length; i++) {
    const t = out[i]!
    if (t.type === 'alert:resolved' && resolvedOrder !== undefined) {
      resolvedOrder.delete(a.fingerprint) // re-insert: the set's order is the resolution order
      resolvedOrder.add(a.fingerprint)
    }
    out[i] = { type: t.type, previous: t.previous, alert: { ...a, annotations: { ...a.annotations }, firedTimesMs: [...a.firedTimesMs], state: stateAfter(t) ?? a.state } }
  }
}

/** The state a transition entered (several can happen in one step: pending then firing). */
function stateAfter(t: Transition): AlertInstance['state'] | undefined {
  switch (t.type) {
    case 'alert:pending': return 'pending'
    case 'alert:firing': return 'firing'
    case 'alert:flapping': return 'flapping'
    case 'alert:resolved': return 'resolved'
    default: return undefined
  }
}

function seriesFor(s: EvaluatorState, rule: CompiledRule, key: string, make: () => Labels): Series | undefined {
  const id = rule.name + '\u0002' + key
  let series = s.series.get(id)
  if (series === undefined) {
    if (s.series.size >= s.options.seriesMax) {
      s.counters.seriesDropped++
      return undefined
    }
    const labels = make()
    series = { fingerprint: fingerprint(labels), labels, trend: undefined, adaptive: undefined }
    s.series.set(id, series)
  }
  return series
}

function evaluateSample(s: EvaluatorState, rule: CompiledRule, sample: Sample, key: string, nowMs: number, out: Transition[]): void {
  const sel = rule.selector
  if (sel.kind !== 'metric' || !matchesAll(sel.matchers, sample.labels)) return
  let value = sample.value
  if (sel.divideBy !== undefined) {
    const d = s.divisors.get(sel.divideBy + '\u0002' + key) ?? s.divisors.get(sel.divideBy + '\u0002')
    if (d === undefined || d === 0) return
    value /= d
  }
  if (sel.perCore) {
    if (s.cpuCount === undefined || s.cpuCount <= 0) return
    value /= s.cpuCount
  }
  value *= sel.scale
  const series = seriesFor(s, rule, key, () => ({ ...sample.labels, ...rule.labels, alertname: rule.name, node: s.options.selfName }))
  if (series === undefined) return
  const vars: Vars = {}
  let severity: Severity | null
  if (rule.trend !== undefined) {
    series.trend ??= emptyTrend()
    addTrendPoint(series.trend, rule.trend, sample.atMs, value)
    const seconds = secondsUntilZero(series.trend, rule.trend, sample.atMs)
    if (seconds === undefined) return
    value = seconds
  }
  const current = s.instances.get(series.fingerprint)
  if (rule.adaptive !== undefined) {
    series.adaptive ??= emptyAdaptive()
    const verdict = addAdaptivePoint(series.adaptive, rule.adaptive, sample.atMs, value)
    if (verdict === undefined) return
    severity = verdict.active ? rule.severity : null
    vars.baseline = verdict.baseline
    vars.bandLow = verdict.bandLow
    vars.bandHigh = verdict.bandHigh
  } else severity = thresholdSeverity(rule, value, activeSeverity(current), vars)
  if (severity === null && current === undefined) return
  observe(s, series.fingerprint, series.labels, { kind: 'self' }, rule, severity, value, vars, nowMs, out)
}

function evaluateSamples(s: EvaluatorState, samples: readonly Sample[], nowMs: number, out: Transition[]): void {
  // Divisors first, so a numerator and its divisor may arrive in the same batch in any order.
  for (const sample of samples) {
    if (sample.name === CPU_COUNT_SAMPLE) s.cpuCount = sample.value
    if (s.divisorNames.has(sample.name)) {
      const id = sample.name + '\u0002' + labelsKey(sample.labels)
      if (s.divisors.has(id) || s.divisors.size < s.options.seriesMax) s.divisors.set(id, sample.value)
      else s.counters.seriesDropped++
    }
  }
  for (const sample of samples) {
    const rules = s.rulesByMetric.get(sample.name)
    if (rules === undefined) continue
    s.counters.samplesEvaluated++
    const key = labelsKey(sample.labels)
    for (const rule of rules) evaluateSample(s, rule, sample, key, nowMs, out)
  }
}

function evaluateEntity(s: EvaluatorState, rule: CompiledRule, key: string, make: () => Labels, subject: AlertSubject, severity: Severity | null, value: number, nowMs: number, out: Transition[]): void {
  const series = seriesFor(s, rule, key, make)
  if (series === undefined) return
  if (severity === null && !s.instances.has(series.fingerprint)) return
  observe(s, series.fingerprint, series.labels, subject, rule, severity, value, {}, nowMs, out)
}

const CHECK_CODE: Record<CheckReport['status'], number> = { passing: 0, warning: 1, critical: 2, unknown: 3 }

function evaluateSnapshots(s: EvaluatorState, input: AlertInput, nowMs: number, out: Transition[]): void {
  const self = s.options.selfName
  for (const rule of s.rules) {
    const sel = rule.selector
    if (sel.kind === 'check' && input.checks !== undefined) {
      for (const c of input.checks) {
        if (sel.check !== '*' && sel.check !== c.id) continue
        const severity = sel.statuses.includes(c.status) ? rule.severity : null
        evaluateEntity(s, rule, c.id, () => ({ ...rule.labels, alertname: rule.name, node: self, check: c.id }), { kind: 'self' }, severity, CHECK_CODE[c.status], nowMs, out)
      }
    } else if (sel.kind === 'peer' && input.peers !== undefined) {
      for (const p of input.peers) {
        const severity = p.state === sel.peerState ? rule.severity : null
        evaluateEntity(s, rule, p.id, () => ({ ...rule.labels, alertname: rule.name, peer: p.name, peer_id: p.id }), { kind: 'peer', id: p.id }, severity, severity === null ? 0 : 1, nowMs, out)
      }
    } else if (sel.kind === 'node' && input.node?.[sel.fact] !== undefined) {
      const value = Number(input.node[sel.fact])
      const current = activeSeverity(s.instances.get(seriesFor(s, rule, '', () => ({ ...rule.labels, alertname: rule.name, node: self }))?.fingerprint ?? ''))
      const severity = rule.warning !== undefined || rule.critical !== undefined ? thresholdSeverity(rule, value, current, {}) : value !== 0 ? rule.severity : null
      evaluateEntity(s, rule, '', () => ({ ...rule.labels, alertname: rule.name, node: self }), { kind: 'self' }, severity, value, nowMs, out)
    }
  }
}

/** Time-driven transitions for instances this step did not observe. */
function sweep(s: EvaluatorState, input: AlertInput, nowMs: number, out: Transition[]): void {
  s.lastSweepMs = nowMs
  for (const [fp, a] of s.instances) {
    if (s.stepSeen.has(fp)) continue
    const rule = s.rulesByName.get(a.rule)
    if (rule === undefined) { // the rule was removed by a config change
      forget(s, fp)
      continue
    }
    const kind = rule.selector.kind
    const absent = (kind === 'check' && input.checks !== undefined) || (kind === 'peer' && input.peers !== undefined) ||
      (kind === 'node' && input.node !== undefined && input.node[rule.selector.fact] === undefined) ||
      (kind === 'metric' && nowMs - a.lastSeenAtMs > s.options.staleMs)
    const holding = !absent && a.holding
    if (absent) a.holding = false
    const before = out.length
    if (!advance(a, holding ? a.severity : null, nowMs, rule, s.options.lifecycle, out)) forget(s, fp)
    else if (out.length > before) render(a, rule, {})
    freeze(out, before, a, s.resolvedOrder)
  }
}

/** One evaluation step: every transition it caused, oldest first. */
export function evaluate(s: EvaluatorState, input: AlertInput, nowMs: number): Transition[] {
  const out: Transition[] = []
  s.stepSeen.clear()
  if (input.samples !== undefined && input.samples.length > 0) evaluateSamples(s, input.samples, nowMs, out)
  const snapshot = input.checks !== undefined || input.peers !== undefined || input.node !== undefined
  if (snapshot) evaluateSnapshots(s, input, nowMs, out)
  if (snapshot || nowMs - s.lastSweepMs >= s.options.sweepIntervalMs) sweep(s, input, nowMs, out)
  return out
}
