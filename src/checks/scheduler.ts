/**
 * The checks' shell: runs every configured check on the injected Clock and keeps its state.
 *
 * - each exec, http or tcp check first runs at a random offset within its interval (injected
 *   Random), so checks declared together do not all fire at once, then `intervalMs` after the
 *   previous run ended (Consul's monitor loop): two runs of one check never overlap;
 * - exec runs share `runsConcurrentMax` slots (run-slots.ts): a run due while all are busy waits;
 * - a TTL check expects check-ins (`checkIn`) at least every `ttlMs`; when the TTL runs out it
 *   records one critical result saying since when nothing came;
 * - every result goes through the pure `stepCheck` (damping, flap detection); its effects reach
 *   the change listeners and the log; perfdata reaches the sample listeners as Samples;
 * - `stop()` cancels every timer, kills running plugins' process groups and waits for them.
 */
import type { CheckReport, CheckStatus, Sample } from '../health/types.ts'
import type { Clock, Timer } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'
import type { Random } from '../runtime/random.ts'
import type { CheckDefinition } from './check-config.ts'
import { initialCheckState, reportOf, stepCheck, type CheckEffect, type CheckResult, type CheckState } from './check-state.ts'
import { checkDetail, type CheckDetail, type CheckInOutcome, type CheckInStatus } from './check-view.ts'

export { CHECK_IN_STATUSES, type CheckInOutcome, type CheckInStatus } from './check-view.ts'
import { startExec } from './exec-runner.ts'
import { emptyRejects, perfSamples, PERF_REJECT_REASONS, type PerfItem, type PerfRejectReason } from './perfdata.ts'
import { probeHttp, probeTcp } from './probes.ts'
import { RunSlots } from './run-slots.ts'

export interface CheckSchedulerOptions {
  checks: readonly CheckDefinition[]
  clock: Clock
  random: Random
  logger: Logger
  /** checkRunsConcurrentMax */
  runsConcurrentMax: number
  /** checkOutputBytesMax: kept of each plugin stream, and the largest check-in note. */
  outputBytesMax: number
  /** checkHttpBodyBytesMax */
  httpBodyBytesMax: number
}

const STATUS_OF_CHECK_IN: Readonly<Record<CheckInStatus, CheckStatus>> = { pass: 'passing', warn: 'warning', fail: 'critical' }

export interface CheckSchedulerStats {
  /** Results recorded: runs finished, check-ins, TTL expiries. */
  runs: number
  timeouts: number
  /** Runs whose stdout or stderr went past outputBytesMax (the rest was discarded). */
  outputTruncated: number
  /** Exec runs that waited for a free slot. */
  runsQueued: number
  /** Perfdata items dropped, by reason. */
  perfdataRejected: Record<PerfRejectReason, number>
  checkIns: number
}

export type CheckChangeListener = (report: CheckReport, effect: CheckEffect) => void
export type SampleListener = (samples: readonly Sample[]) => void

interface Entry {
  readonly definition: CheckDefinition
  state: CheckState
  perfdata: PerfItem[]
  runs: number
  timeouts: number
  timer: Timer | undefined
  running: { stop(): void } | undefined
  /** TTL checks: when the current TTL runs out; undefined once it has. */
  ttlExpiresAtMs: number | undefined
  lastCheckInMs: number | undefined
}

export class CheckScheduler {
  private readonly options: CheckSchedulerOptions
  private readonly entries = new Map<string, Entry>()
  private readonly slots: RunSlots
  private readonly changeListeners = new Set<CheckChangeListener>()
  private readonly sampleListeners = new Set<SampleListener>()
  private readonly inflight = new Set<Promise<void>>()
  private readonly counters = { runs: 0, timeouts: 0, outputTruncated: 0, checkIns: 0, perfdataRejected: emptyRejects() }
  private startedAtMs: number | undefined
  private state: 'new' | 'running' | 'stopped' = 'new'

  constructor(options: CheckSchedulerOptions) {
    this.options = options
    this.slots = new RunSlots(options.runsConcurrentMax)
    const now = options.clock.now()
    for (const definition of options.checks) {
      const pending = definition.target.kind === 'ttl' ? 'no check-in yet' : 'not run yet'
      this.entries.set(definition.id, {
        definition, state: initialCheckState(definition.id, now, pending), perfdata: [], runs: 0, timeouts: 0,
        timer: undefined, running: undefined, ttlExpiresAtMs: undefined, lastCheckInMs: undefined
      })
    }
  }

  /** Arms every check. Idempotent; a stopped scheduler stays stopped. */
  start(): void {
    if (this.state !== 'new') return
    this.state = 'running'
    const { clock, random } = this.options
    this.startedAtMs = clock.now()
    for (const entry of this.entries.values()) {
      const target = entry.definition.target
      if (target.kind === 'ttl') this.armTtl(entry, target.ttlMs)
      else entry.timer = clock.setTimeout(() => this.launch(entry), random.int(entry.definition.intervalMs))
    }
  }

  /** Cancels timers, kills running plugins (their whole process groups) and waits for them. Idempotent. */
  async stop(): Promise<void> {
    this.state = 'stopped'
    for (const entry of this.entries.values()) {
      entry.timer?.cancel()
      entry.timer = undefined
      entry.running?.stop()
    }
    await Promise.all([...this.inflight])
  }

  reports(): CheckReport[] {
    return [...this.entries.values()].map((e) => reportOf(e.state))
  }

  report(id: string): CheckReport | undefined {
    const entry = this.entries.get(id)
    return entry === undefined ? undefined : reportOf(entry.state)
  }

  details(): CheckDetail[] {
    return [...this.entries.values()].map((e) => this.detailOf(e))
  }

  detail(id: string): CheckDetail | undefined {
    const entry = this.entries.get(id)
    return entry === undefined ? undefined : this.detailOf(entry)
  }

  /**
   * A TTL check's application reports in: the result is recorded (through damping) and the TTL
   * starts again. `note` becomes the output (its first line the summary); at most
   * outputBytesMax bytes.
   */
  checkIn(id: string, status: CheckInStatus, note?: string): CheckInOutcome {
    const entry = this.entries.get(id)
    if (entry === undefined) return { ok: false, reason: 'not-found', message: `no check with id "${id}" is configured` }
    const target = entry.definition.target
    if (target.kind !== 'ttl') return { ok: false, reason: 'not-ttl', message: `check "${id}" is an ${target.kind} check; only ttlMs checks take check-ins` }
    if (note !== undefined && Buffer.byteLength(note) > this.options.outputBytesMax) {
      return { ok: false, reason: 'note-too-long', message: `the note is limited to ${this.options.outputBytesMax} bytes` }
    }
    const text = note === undefined || note.trim() === '' ? `check-in: ${status}` : note
    const [first = '', ...rest] = text.replace(/\r\n?/g, '\n').split('\n')
    this.counters.checkIns += 1
    entry.lastCheckInMs = this.options.clock.now()
    this.record(entry, { status: STATUS_OF_CHECK_IN[status], output: first.trim(), longOutput: rest.join('\n').trimEnd() })
    if (this.state === 'running') this.armTtl(entry, target.ttlMs)
    return { ok: true, check: this.detailOf(entry) }
  }

  /** Calls `listener` on every status change and flapping start/stop; returns the unsubscribe function. */
  onChange(listener: CheckChangeListener): () => void {
    this.changeListeners.add(listener)
    return () => this.changeListeners.delete(listener)
  }

  /** Calls `listener` with each exec result's perfdata as Samples; returns the unsubscribe function. */
  onSamples(listener: SampleListener): () => void {
    this.sampleListeners.add(listener)
    return () => this.sampleListeners.delete(listener)
  }

  stats(): CheckSchedulerStats {
    return { ...this.counters, runsQueued: this.slots.queued, perfdataRejected: { ...this.counters.perfdataRejected } }
  }

  /** Per-check counters, in config order (metrics label them by check id). */
  checkCounts(): { id: string; status: CheckStatus; flapping: boolean; runs: number; timeouts: number }[] {
    return [...this.entries.values()].map((e) => ({ id: e.definition.id, status: e.state.status, flapping: e.state.flapping, runs: e.runs, timeouts: e.timeouts }))
  }

  private detailOf(entry: Entry): CheckDetail {
    return checkDetail(entry.definition, entry.state, { perfdata: entry.perfdata, counts: { runs: entry.runs, timeouts: entry.timeouts }, ttlExpiresAtMs: entry.ttlExpiresAtMs })
  }

  private armTtl(entry: Entry, ttlMs: number): void {
    const { clock } = this.options
    entry.timer?.cancel()
    entry.ttlExpiresAtMs = clock.now() + ttlMs
    entry.timer = clock.setTimeout(() => {
      entry.timer = undefined
      entry.ttlExpiresAtMs = undefined
      const since = entry.lastCheckInMs === undefined
        ? `since the agent started at ${new Date(this.startedAtMs ?? clock.now()).toISOString()}`
        : `since ${new Date(entry.lastCheckInMs).toISOString()}`
      this.record(entry, { status: 'critical', output: `TTL expired: no check-in ${since} (ttl ${ttlMs} ms)`, longOutput: '' })
    }, ttlMs)
  }

  private launch(entry: Entry): void {
    entry.timer = undefined
    const run = this.runOnce(entry).catch((error: unknown) => {
      this.options.logger.error({ err: error, check: entry.definition.id }, 'check run failed')
    }).finally(() => {
      this.inflight.delete(run)
      if (this.state === 'running') entry.timer = this.options.clock.setTimeout(() => this.launch(entry), entry.definition.intervalMs)
    })
    this.inflight.add(run)
  }

  private async runOnce(entry: Entry): Promise<void> {
    const { clock } = this.options
    const { target, timeoutMs, id } = entry.definition
    if (target.kind === 'exec') {
      const release = await this.slots.acquire()
      try {
        if (this.state !== 'running') return
        const run = startExec({ argv: target.argv, timeoutMs, outputBytesMax: this.options.outputBytesMax, clock })
        entry.running = run
        const outcome = await run.done
        entry.running = undefined
        if (outcome.timedOut) this.countTimeout(entry)
        if (outcome.truncated) this.counters.outputTruncated += 1
        for (const reason of PERF_REJECT_REASONS) this.counters.perfdataRejected[reason] += outcome.rejected[reason]
        if (this.state !== 'running') return
        entry.perfdata = outcome.perfdata
        this.record(entry, outcome.result)
        if (outcome.perfdata.length > 0) this.emitSamples(perfSamples(id, outcome.perfdata, clock.now()))
      } finally {
        release()
      }
      return
    }
    if (target.kind === 'ttl') return
    const run = target.kind === 'http'
      ? probeHttp({ url: target.url, expectBody: target.expectBody, timeoutMs, bodyBytesMax: this.options.httpBodyBytesMax, clock })
      : probeTcp({ host: target.host, port: target.port, timeoutMs, clock })
    entry.running = run
    const outcome = await run.done
    entry.running = undefined
    if (outcome.timedOut) this.countTimeout(entry)
    if (this.state === 'running') this.record(entry, outcome.result)
  }

  private countTimeout(entry: Entry): void {
    entry.timeouts += 1
    this.counters.timeouts += 1
  }

  private record(entry: Entry, result: CheckResult): void {
    const now = this.options.clock.now()
    const { state, effects } = stepCheck(entry.state, result, now, entry.definition)
    entry.state = state
    entry.runs += 1
    this.counters.runs += 1
    for (const effect of effects) this.announce(entry, effect)
  }

  private announce(entry: Entry, effect: CheckEffect): void {
    const log = this.options.logger
    const id = entry.definition.id
    if (effect.type === 'status:changed') log.info({ check: id, from: effect.from, to: effect.to, output: entry.state.last?.output }, 'check status changed')
    else log.warn({ check: id, percent: Math.round(effect.percent * 10) / 10 }, effect.type === 'flapping:started' ? 'check started flapping' : 'check stopped flapping')
    const report = reportOf(entry.state)
    for (const listener of this.changeListeners) {
      try {
        listener(report, effect)
      } catch (error) {
        log.error({ err: error, check: id }, 'check change listener failed')
      }
    }
  }

  private emitSamples(samples: readonly Sample[]): void {
    for (const listener of this.sampleListeners) {
      try {
        listener(samples)
      } catch (error) {
        this.options.logger.error({ err: error }, 'check sample listener failed')
      }
    }
  }
}
