/**
 * Node health's part of the composition root (daemon.ts wires it in a few lines): the resource
 * collectors and sampler, metric validation, peer trends, and metric history in the data dir's
 * SQLite database, with their timers on the injected Clock. The checks component (src/checks/)
 * plugs in through `checks`, which reports nothing until it is wired.
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { DatabaseSync } from 'node:sqlite'
import type { HistoryResponse } from './api/protocol.ts'
import { HISTORY_POINTS_DEFAULT, type HistoryRequest } from './api/routes.ts'
import type { Config } from './config/schema.ts'
import { ResourceCollectors } from './health/collectors.ts'
import { NodeHealth } from './health/node-health.ts'
import { PeerTrends } from './health/peer-trends.ts'
import type { CheckReport, Sample } from './health/types.ts'
import { SampleValidator } from './health/validate.ts'
import type { Clock, Timer } from './runtime/clock.ts'
import type { Logger } from './runtime/logger.ts'
import { openDatabase } from './store/database.ts'
import { MetricHistory } from './store/metric-history.ts'
import { MIGRATIONS } from './store/migrations.ts'
import { TIERS } from './store/point-codec.ts'

/** The database file in the data dir. */
export const DATABASE_FILE = 'healthmon.db'
/** Points of each peer's in-memory trend (one per sample interval: 5 minutes at 10 s). */
export const PEER_TREND_POINTS_MAX = 30

export interface HealthRuntimeDeps {
  config: Readonly<Config>
  clock: Clock
  logger: Logger
  checks?: () => readonly CheckReport[]
}

export class HealthRuntime {
  readonly validator = new SampleValidator()
  readonly collectors: ResourceCollectors
  readonly nodeHealth: NodeHealth
  readonly trends: PeerTrends
  readonly history: MetricHistory | undefined
  /**
   * The data dir's database (undefined with historyEnabled false). Other stores (alert history,
   * silences) share it: they append their migration to store/migrations.ts.
   */
  readonly db: DatabaseSync | undefined
  private readonly deps: HealthRuntimeDeps
  private flushTimer: Timer | undefined
  /** Also told of every admitted sample (the alerting runtime evaluates them). */
  sampleSink: ((samples: readonly Sample[]) => void) | undefined

  constructor(deps: HealthRuntimeDeps) {
    this.deps = deps
    const c = deps.config
    this.collectors = new ResourceCollectors({ paths: c.healthDiskPaths.length > 0 ? c.healthDiskPaths : [c.dataDir, '/'] })
    if (c.historyEnabled) {
      mkdirSync(c.dataDir, { recursive: true, mode: 0o700 })
      this.db = openDatabase(join(c.dataDir, DATABASE_FILE), MIGRATIONS).db
      // Unflushed points: every series' current bucket in each tier, for a few flush intervals.
      const bucketsPerFlush = Math.ceil(c.historyFlushIntervalMs / TIERS[0]!.resolutionMs) + 2
      this.history = new MetricHistory(this.db, { seriesMax: c.historySeriesMax, pendingPointsMax: c.historySeriesMax * TIERS.length * bucketsPerFlush * 4 })
    }
    this.nodeHealth = new NodeHealth({
      clock: deps.clock,
      collectors: this.collectors,
      validator: this.validator,
      thresholds: c,
      sampleIntervalMs: c.healthSampleIntervalMs,
      checks: deps.checks ?? (() => []),
      onSamples: (samples) => {
        this.history?.record(samples)
        this.sampleSink?.(samples)
      }
    })
    this.trends = new PeerTrends({ validator: this.validator, pointsMax: PEER_TREND_POINTS_MAX, intervalMs: c.healthSampleIntervalMs, peersMax: c.membersMax })
  }

  /** The latest admitted resource samples (HealthSource, for /metrics). */
  samples(): ReturnType<NodeHealth['samples']> {
    return this.nodeHealth.samples()
  }

  get cost(): NodeHealth['cost'] {
    return this.nodeHealth.cost
  }

  /**
   * The seam for other sample sources (the checks component's perfdata): validates, counts the
   * rejects, records the admitted samples in history, and returns them.
   */
  admit(samples: readonly Sample[]): Sample[] {
    const admitted = this.validator.admit(samples, this.deps.clock.now())
    this.history?.record(admitted)
    this.sampleSink?.(admitted)
    return admitted
  }

  start(): void {
    this.nodeHealth.start()
    if (this.history !== undefined) this.flushTimer = this.deps.clock.setInterval(() => this.flush(), this.deps.config.historyFlushIntervalMs)
  }

  /** Stops sampling, writes what history holds, closes the database. */
  stop(): void {
    this.nodeHealth.stop()
    this.flushTimer?.cancel()
    this.flush()
    if (this.db?.isOpen === true) this.db.close()
  }

  /** GET /v1/metrics/history. */
  query(q: HistoryRequest): HistoryResponse | undefined {
    const r = this.history?.query({ ...q, pointsMax: HISTORY_POINTS_DEFAULT })
    if (r === undefined) return undefined
    const iso = (ms: number) => new Date(ms).toISOString()
    return {
      name: q.name, unit: r.unit, since: iso(q.sinceMs), until: iso(q.untilMs), stepMs: r.stepMs, resolutionMs: r.resolutionMs,
      series: r.series.map((s) => ({ labels: s.labels, points: s.points.map((p) => ({ at: iso(p.atMs), min: p.min, max: p.max, avg: p.sum / p.count, sum: p.sum, count: p.count })) }))
    }
  }

  private flush(): void {
    if (this.history === undefined || !this.db?.isOpen) return
    try {
      this.history.flush(this.deps.clock.now(), () => this.deps.clock.now())
    } catch (err) {
      this.deps.logger.warn({ err, pending: this.history.pendingPoints }, 'metric history flush failed; keeping the points for the next flush')
    }
  }
}
