import type { Fault, FaultLog } from '../fault-log.ts'
import { distribution, type Distribution } from '../summary.ts'
import { EV, ST, type Trace } from '../trace.ts'
import { GONE, Health, OBSERVER_FAULTS } from './health.ts'
import type { CheckOptions } from './options.ts'

/**
 * Detection quality as Chen, Toueg and Aguilera's QoS metrics ("On the quality of service of
 * failure detectors", IEEE ToC 51(5), 2002), computed from the trace and the fault log alone, over
 * the scenario's window [fromMs, toMs] (boot excluded). Each (observer, subject) pair is one of
 * their failure detectors: its output is *suspect* while the observer's view holds the subject
 * `suspect` or `dead`, *trust* otherwise (alive, left, missing, or not heard of yet).
 *
 * - **T_D, detection time** (`detectionMs`): for each crash or host crash lasting at least the
 *   detection bound and each observer healthy throughout [crash - grace, crash + bound] (the same
 *   pairs as the detection-bound checker), the ms from the crash until the observer starts
 *   suspecting *permanently*: the start of the last suspect run that lasts until the crash ends
 *   (or the run does). 0 when the observer already suspected at the crash; `undetected` counts
 *   pairs trusting the subject when the crash (or the run) ended.
 * - A **mistake** is a maximal interval during which a healthy observer (Health.observerHealthy)
 *   holds a running subject (Health.subjectRunning: not crashed, left or paused past the
 *   tolerance in the last grace) suspect or dead. Only *eligible* time counts: a pair is eligible
 *   at t when both conditions hold at t. A suspicion that began while the pair was not eligible
 *   (say, a partition) and still holds once it is, is a mistake starting when eligibility starts;
 *   one still open at the window's end (or at the end of eligibility) is cut there. Link faults
 *   do not excuse a mistake (as in the no-flapping checker); `mistakesDuringLinkFaults` says how
 *   many began while the subject was behind one.
 * - **T_M, mistake duration** (`mistakeDurationMs`): the distribution of the mistakes' lengths.
 * - **T_MR, mistake recurrence time** (`mistakeRecurrenceMs`): the ms between the starts of two
 *   consecutive mistakes of the same pair, over every pair with two or more. Periods without
 *   mistakes yield no sample (a pair with none or one has no recurrence to measure), so the
 *   distribution alone flatters a detector that errs rarely but in bursts; `meanMs` is therefore
 *   the rate estimate E(T_MR) = 1 / lambda_M = eligible pair-time / mistakes, which does count
 *   every mistake-free period (null when there was no mistake: infinite).
 * - **P_A, query accuracy probability** (`queryAccuracy`): the fraction of eligible pair-time
 *   during which the output was right (trust), i.e. the probability that a query at a random
 *   eligible moment is answered correctly. 1 when nothing was eligible.
 * - `mistakesPerPairHour` is lambda_M in mistakes per eligible pair-hour (what the sweep plots).
 */
export interface QosResult {
  windowMs: number
  /** Eligible (observer, subject) time, in pair-hours. */
  pairHours: number
  detectionMs: Distribution & { pairs: number; undetected: number }
  mistakes: number
  mistakesDuringLinkFaults: number
  mistakesPerPairHour: number
  mistakeDurationMs: Distribution & { meanMs: number | null }
  mistakeRecurrenceMs: Distribution & { meanMs: number | null }
  queryAccuracy: number
}

/** Sorted, disjoint [from, to) intervals. */
type Intervals = number[]

/** The union of [f.fromMs, f.toMs + grace] over the faults kept, clipped to [lo, hi], merged. */
function badIntervals(faults: readonly Fault[], keep: (f: Fault) => boolean, graceMs: number, lo: number, hi: number): Intervals {
  const raw: [number, number][] = []
  for (const f of faults) {
    if (!keep(f)) continue
    const a = Math.max(lo, f.fromMs)
    const b = Math.min(hi, f.toMs + graceMs)
    if (b > a) raw.push([a, b])
  }
  return mergeRaw(raw)
}

function mergeRaw(raw: [number, number][]): Intervals {
  raw.sort((x, y) => x[0] - y[0])
  const out: Intervals = []
  for (const [a, b] of raw) {
    const n = out.length
    if (n > 0 && a <= out[n - 1]!) out[n - 1] = Math.max(out[n - 1]!, b)
    else out.push(a, b)
  }
  return out
}

export function union(x: Intervals, y: Intervals): Intervals {
  if (x.length === 0) return y
  if (y.length === 0) return x
  const raw: [number, number][] = []
  for (let i = 0; i < x.length; i += 2) raw.push([x[i]!, x[i + 1]!])
  for (let i = 0; i < y.length; i += 2) raw.push([y[i]!, y[i + 1]!])
  return mergeRaw(raw)
}

function measure(x: Intervals): number {
  let m = 0
  for (let i = 0; i < x.length; i += 2) m += x[i + 1]! - x[i]!
  return m
}

/** [a, b) minus the bad intervals: the eligible pieces, in order. */
export function subtract(a: number, b: number, bad: Intervals): [number, number][] {
  const out: [number, number][] = []
  let from = a
  for (let i = 0; i < bad.length && from < b; i += 2) {
    const s = bad[i]!
    const e = bad[i + 1]!
    if (e <= from) continue
    if (s >= b) break
    if (s > from) out.push([from, s])
    from = Math.max(from, e)
  }
  if (from < b) out.push([from, b])
  return out
}

const wrong = (state: number): boolean => state === ST.suspect || state === ST.dead
const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits

export function computeQos(trace: Trace, faults: FaultLog, options: CheckOptions, nodes: number, fromMs: number, toMs: number): QosResult {
  const grace = options.graceMs
  const obsBad: Intervals[] = []
  const subBad: Intervals[] = []
  for (let i = 0; i < nodes; i++) {
    const fs = faults.of(i)
    obsBad.push(badIntervals(fs, (f) => OBSERVER_FAULTS.includes(f.kind), grace, fromMs, toMs))
    subBad.push(badIntervals(fs, (f) => GONE.includes(f.kind) || (f.kind === 'pause' && f.toMs - f.fromMs > options.pauseToleranceMs), grace, fromMs, toMs))
  }
  const pairBad = (o: number, p: number): Intervals => union(obsBad[o]!, subBad[p]!)

  // Eligible pair-time: the window less either side's bad time, summed over ordered pairs o != p:
  // sum |bad_o ∪ bad_p| = (n - 1) (sum |obsBad| + sum |subBad|) - sum |obsBad_o ∩ subBad_p|, and
  // the intersections are non-empty only between the few nodes that had faults.
  const windowMs = Math.max(0, toMs - fromMs)
  const obsFaulty: number[] = []
  const subFaulty: number[] = []
  let badSum = 0
  for (let i = 0; i < nodes; i++) {
    badSum += measure(obsBad[i]!) + measure(subBad[i]!)
    if (obsBad[i]!.length > 0) obsFaulty.push(i)
    if (subBad[i]!.length > 0) subFaulty.push(i)
  }
  let overlap = 0
  for (const o of obsFaulty) {
    for (const p of subFaulty) if (o !== p) overlap += measure(obsBad[o]!) + measure(subBad[p]!) - measure(pairBad(o, p))
  }
  const eligibleMs = nodes * (nodes - 1) * windowMs - ((nodes - 1) * badSum - overlap)

  // Mistakes: scan the trace in order, closing each suspect run of a cell at its end.
  const health = new Health(faults, options)
  const state = new Uint8Array(nodes * nodes).fill(255)
  const since = new Float64Array(nodes * nodes)
  const lastStart = new Map<number, number>()
  const durations: number[] = []
  const recurrences: number[] = []
  let wrongMs = 0
  let duringLinkFaults = 0
  const closeRun = (cell: number, a: number, b: number): void => {
    const lo = Math.max(a, fromMs)
    const hi = Math.min(b, toMs)
    if (hi <= lo) return
    const o = Math.floor(cell / nodes)
    const p = cell % nodes
    for (const [s, e] of subtract(lo, hi, pairBad(o, p))) {
      durations.push(e - s)
      wrongMs += e - s
      const prev = lastStart.get(cell)
      if (prev !== undefined) recurrences.push(s - prev)
      lastStart.set(cell, s)
      if (faults.overlapping(p, s - grace, s, ['link']).length > 0) duringLinkFaults++
    }
  }
  for (let i = 0; i < trace.length; i++) {
    const t = trace.t[i]!
    if (t > toMs) break
    if (trace.type[i] === EV.alert) continue
    const p = trace.peer[i]!
    if (p < 0 || p >= nodes) continue
    const cell = trace.node[i]! * nodes + p
    const before = state[cell]!
    const after = trace.state[i]!
    if (wrong(before) && !wrong(after)) closeRun(cell, since[cell]!, t)
    if (!wrong(before) && wrong(after)) since[cell] = t
    state[cell] = after
  }
  for (let cell = 0; cell < nodes * nodes; cell++) if (wrong(state[cell]!)) closeRun(cell, since[cell]!, toMs)

  // T_D: permanent suspicion after each crash, for the detection checker's pairs.
  const index = trace.byPeer()
  const detection: number[] = []
  let pairs = 0
  let undetected = 0
  for (const f of faults.faults) {
    if (f.kind !== 'crash' && f.kind !== 'host-crash') continue
    const tc = f.fromMs
    if (f.toMs < tc + options.detectionBoundMs || tc + options.detectionBoundMs > toMs) continue
    const until = Math.min(f.toMs, toMs)
    const v = f.node
    const cur = new Uint8Array(nodes).fill(255)
    const runStart = new Float64Array(nodes)
    for (let j = index.starts[v]!; j < index.starts[v + 1]!; j++) {
      const i = index.events[j]!
      const t = trace.t[i]!
      if (t > until) break
      if (trace.type[i] === EV.alert) continue
      const o = trace.node[i]!
      const s = trace.state[i]!
      if (!wrong(cur[o]!) && wrong(s)) runStart[o] = t
      cur[o] = s
    }
    for (let o = 0; o < nodes; o++) {
      if (o === v || !health.observerHealthy(o, tc, tc + options.detectionBoundMs)) continue
      pairs++
      if (wrong(cur[o]!)) detection.push(Math.max(0, runStart[o]! - tc))
      else undetected++
    }
  }

  const mistakes = durations.length
  const pairHours = eligibleMs / 3_600_000
  const mean = (xs: number[]): number | null => (xs.length === 0 ? null : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length))
  return {
    windowMs,
    pairHours: round(pairHours, 2),
    detectionMs: { ...distribution(detection), pairs, undetected },
    mistakes,
    mistakesDuringLinkFaults: duringLinkFaults,
    mistakesPerPairHour: pairHours > 0 ? round(mistakes / pairHours, 4) : 0,
    mistakeDurationMs: { ...distribution(durations), meanMs: mean(durations) },
    mistakeRecurrenceMs: { ...distribution(recurrences), meanMs: mistakes === 0 ? null : Math.round(eligibleMs / mistakes) },
    queryAccuracy: eligibleMs > 0 ? round(1 - wrongMs / eligibleMs, 6) : 1
  }
}

/** One line for people: T_D, T_M, T_MR and P_A. */
export function describeQos(q: QosResult): string {
  const d = q.detectionMs
  const mr = q.mistakeRecurrenceMs.meanMs
  return `T_D p50/p99/max ${d.p50}/${d.p99}/${d.max} ms (${d.undetected} of ${d.pairs} pairs undetected), ${q.mistakes} mistakes (${q.mistakesPerPairHour} per pair-hour), T_M p50/max ${q.mistakeDurationMs.p50}/${q.mistakeDurationMs.max} ms, T_MR mean ${mr === null ? 'infinite' : `${mr} ms`}, P_A ${q.queryAccuracy}`
}
