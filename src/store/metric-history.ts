/**
 * Metric history: every admitted sample is folded into the current bucket of each tier (10 s,
 * 1 min, 1 h; point-codec.ts) in memory, and the touched buckets are written to SQLite every
 * flush interval in one transaction (an upsert that merges min, max, sum and count, so a bucket
 * flushed half-full is completed by the next flush). Queries read the database and the unflushed
 * buckets together, so they always see the latest sample.
 *
 * Durability: a SIGKILL loses at most the samples since the last flush (flushIntervalMs); a
 * graceful stop flushes. Bounds: series (seriesMax; new ones beyond are refused and counted),
 * points per series (retention / resolution per tier, pruned by age on each flush), unflushed
 * points (pendingPointsMax; beyond it new points are dropped and counted, e.g. while the disk
 * refuses writes).
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { Sample } from '../health/types.ts'
import { decodeValue, encodeValue, keyParts, mergePoint, pointOfRow, rowKey, rowOf, scaleOf, SERIES_ID_MAX, TIERS, type StoredPoint, type Tier } from './point-codec.ts'

export interface MetricHistoryOptions {
  seriesMax: number
  pendingPointsMax: number
}

export interface HistoryQuery {
  name: string
  sinceMs: number
  untilMs: number
  /** Width of the returned points; undefined lets the store choose (finest tier, at most `pointsMax` points). */
  stepMs?: number
  pointsMax: number
}

export interface HistoryPointValue {
  atMs: number
  min: number
  max: number
  sum: number
  count: number
}

export interface HistoryResult {
  unit: string
  stepMs: number
  resolutionMs: number
  series: { labels: Record<string, string>; points: HistoryPointValue[] }[]
}

interface Series {
  id: number
  name: string
  labels: Record<string, string>
  unit: string
  scale: number
}

interface Pending extends StoredPoint {
  tier: number
  series: number
  bucket: number
}

export class MetricHistory {
  readonly stats = { flushes: 0, flushErrors: 0, pointsWritten: 0, seriesRefused: 0, pointsDropped: 0, lastFlushMs: 0, maxFlushMs: 0 }
  private readonly db: DatabaseSync
  private readonly options: MetricHistoryOptions
  private readonly series = new Map<string, Series>()
  private readonly pending = new Map<string, Pending>()
  private readonly upserts: StatementSync[]
  private readonly prunes: StatementSync[]
  private readonly insertSeries: StatementSync

  constructor(db: DatabaseSync, options: MetricHistoryOptions) {
    this.db = db
    this.options = options
    for (const row of db.prepare('SELECT id, name, labels, unit FROM metric_series').all() as { id: number; name: string; labels: string; unit: string }[]) {
      this.remember({ id: Number(row.id), name: row.name, labels: JSON.parse(row.labels) as Record<string, string>, unit: row.unit, scale: scaleOf(row.unit) }, row.labels)
    }
    this.insertSeries = db.prepare('INSERT INTO metric_series (name, labels, unit) VALUES (?, ?, ?) RETURNING id')
    this.upserts = TIERS.map((t) => db.prepare(`
      INSERT INTO ${t.table} (key, min, max, sum, count) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (key) DO UPDATE SET
        min = min(coalesce(min, sum), coalesce(excluded.min, excluded.sum)),
        max = max(coalesce(max, sum), coalesce(excluded.max, excluded.sum)),
        sum = sum + excluded.sum,
        count = coalesce(count, 1) + coalesce(excluded.count, 1)`))
    this.prunes = TIERS.map((t) => db.prepare(`DELETE FROM ${t.table} WHERE key < ?`))
  }

  /** Series known (stored or pending). */
  get seriesCount(): number {
    return this.series.size
  }

  get pendingPoints(): number {
    return this.pending.size
  }

  /** Folds admitted samples into the pending buckets (call metric validation first). */
  record(samples: readonly Sample[]): void {
    for (const s of samples) {
      const series = this.seriesFor(s)
      if (series === undefined) continue
      const v = encodeValue(s.value, series.scale)
      const point: StoredPoint = { min: v, max: v, sum: v, count: 1 }
      TIERS.forEach((tier, t) => {
        const bucket = Math.floor(s.atMs / tier.resolutionMs)
        const key = `${t}:${series.id}:${bucket}`
        const existing = this.pending.get(key)
        if (existing !== undefined) {
          Object.assign(existing, mergePoint(existing, point))
        } else if (this.pending.size >= this.options.pendingPointsMax) {
          this.stats.pointsDropped++
        } else {
          this.pending.set(key, { tier: t, series: series.id, bucket, ...point })
        }
      })
    }
  }

  /**
   * Writes the pending buckets and prunes points past each tier's retention, in one
   * transaction. On failure the pending buckets are kept for the next flush (still bounded).
   */
  flush(nowMs: number, measure: () => number = () => 0): void {
    const startedAt = measure()
    const batch = [...this.pending.values()]
    try {
      this.db.exec('BEGIN')
      for (const p of batch) this.upserts[p.tier]!.run(rowKey(TIERS[p.tier]!, p.bucket, p.series), ...rowOf(p))
      TIERS.forEach((tier, t) => this.prunes[t]!.run(rowKey(tier, Math.floor((nowMs - tier.retentionMs) / tier.resolutionMs), 0)))
      this.db.exec('COMMIT')
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK')
      this.stats.flushErrors++
      throw err
    }
    this.pending.clear()
    this.stats.flushes++
    this.stats.pointsWritten += batch.length
    const took = measure() - startedAt
    this.stats.lastFlushMs = took
    this.stats.maxFlushMs = Math.max(this.stats.maxFlushMs, took)
  }

  /** Names with history, sorted. */
  names(): string[] {
    return [...new Set([...this.series.values()].map((s) => s.name))].sort()
  }

  /** Undefined when the metric has no series at all. */
  query(q: HistoryQuery): HistoryResult | undefined {
    const all = [...this.series.values()].filter((s) => s.name === q.name)
    if (all.length === 0) return undefined
    const span = Math.max(1, q.untilMs - q.sinceMs)
    const ageMs = Math.max(0, q.untilMs - q.sinceMs)
    const t = chooseTier(ageMs, q.stepMs)
    const tier = TIERS[t]!
    const stepMs = q.stepMs ?? Math.max(tier.resolutionMs, Math.ceil(span / q.pointsMax / tier.resolutionMs) * tier.resolutionMs)
    const from = Math.floor(q.sinceMs / tier.resolutionMs)
    const to = Math.floor(q.untilMs / tier.resolutionMs)
    const ids = new Set(all.map((s) => s.id))
    const buckets = new Map<number, Map<number, StoredPoint>>()
    const add = (series: number, bucket: number, p: StoredPoint) => {
      let bySeries = buckets.get(series)
      if (bySeries === undefined) buckets.set(series, bySeries = new Map())
      const at = Math.floor((bucket * tier.resolutionMs) / stepMs) * stepMs
      const existing = bySeries.get(at)
      bySeries.set(at, existing === undefined ? p : mergePoint(existing, p))
    }
    // A range of keys is a range of buckets for every series; the metric's series are picked here.
    const rows = this.db.prepare(`SELECT key, min, max, sum, count FROM ${tier.table} WHERE key >= ? AND key <= ?`)
      .all(rowKey(tier, from, 0), rowKey(tier, to, SERIES_ID_MAX)) as { key: number; min: number | null; max: number | null; sum: number; count: number | null }[]
    for (const r of rows) {
      const { bucket, seriesId } = keyParts(tier, Number(r.key))
      if (ids.has(seriesId)) add(seriesId, bucket, pointOfRow(r.min, r.max, r.sum, r.count === null ? null : Number(r.count)))
    }
    for (const p of this.pending.values()) {
      if (p.tier === t && ids.has(p.series) && p.bucket >= from && p.bucket <= to) add(p.series, p.bucket, p)
    }
    const series = all.map((s) => {
      const points = [...(buckets.get(s.id) ?? new Map<number, StoredPoint>()).entries()].sort((a, b) => a[0] - b[0]).map(([atMs, p]) => ({
        atMs, min: decodeValue(p.min, s.scale), max: decodeValue(p.max, s.scale), sum: decodeValue(p.sum, s.scale), count: p.count
      }))
      return { labels: s.labels, points }
    })
    return { unit: all[0]!.unit, stepMs, resolutionMs: tier.resolutionMs, series }
  }

  private seriesFor(s: Sample): Series | undefined {
    const labels = labelKey(s.labels)
    const key = `${s.name}\u0000${labels}`
    const known = this.series.get(key)
    if (known !== undefined) return known
    if (this.series.size >= Math.min(this.options.seriesMax, SERIES_ID_MAX)) {
      this.stats.seriesRefused++
      return undefined
    }
    const row = this.insertSeries.get(s.name, labels, s.unit) as { id: number }
    const created: Series = { id: Number(row.id), name: s.name, labels: { ...s.labels }, unit: s.unit, scale: scaleOf(s.unit) }
    this.remember(created, labels)
    return created
  }

  private remember(s: Series, labels: string): void {
    this.series.set(`${s.name}\u0000${labels}`, s)
  }
}

/** Labels as a canonical string: sorted keys, so {a,b} and {b,a} are one series. */
export function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))
}

/**
 * The finest tier that still holds the whole range (the age of its oldest end) and is not finer
 * than the step asked for; the coarsest when the range is older than every retention.
 */
export function chooseTier(ageMs: number, stepMs: number | undefined): number {
  for (let t = 0; t < TIERS.length; t++) {
    const tier: Tier = TIERS[t]!
    if (ageMs <= tier.retentionMs && (stepMs === undefined || tier.resolutionMs <= stepMs)) {
      // A step coarser than the next tier's resolution reads the next tier: fewer rows, same answer.
      const next = TIERS[t + 1]
      if (stepMs !== undefined && next !== undefined && next.resolutionMs <= stepMs && ageMs <= next.retentionMs) continue
      return t
    }
  }
  return TIERS.length - 1
}
