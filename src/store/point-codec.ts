/**
 * How metric history stores a point compactly (src/ARCHITECTURE.md's 200 KB per metric budget).
 * - Tiers: 10 s points for 6 h, 1 min for 48 h, 1 h for 30 days, each point the min, max, sum
 *   and count of the samples in its bucket (the RRDtool / Graphite retention scheme), so any
 *   range can be drawn at any step without losing the extremes.
 * - Values are stored as integers in a fixed precision per unit (percent to 0.01, ratio to
 *   0.0001, seconds to 1 µs, bytes exactly, counters and plain numbers to 0.001): SQLite writes a
 *   small integer in 1-4 bytes where a float takes 8. A value too large for a safe integer at
 *   that scale is stored as a float instead (still decoded the same way).
 * - A point of one sample stores only its sum (min = max = sum, count = 1 are implied by NULLs),
 *   which is every point of the 10 s tier at the default 10 s sampling.
 */
import type { SampleUnit } from '../health/types.ts'

export interface Tier {
  table: string
  resolutionMs: number
  retentionMs: number
}

const HOUR = 3_600_000
export const TIERS: readonly Tier[] = [
  { table: 'metric_points_10s', resolutionMs: 10_000, retentionMs: 6 * HOUR },
  { table: 'metric_points_1m', resolutionMs: 60_000, retentionMs: 48 * HOUR },
  { table: 'metric_points_1h', resolutionMs: HOUR, retentionMs: 30 * 24 * HOUR }
]

/** Series ids take the low 16 bits of a point's row key. */
export const SERIES_ID_BITS = 16
export const SERIES_ID_MAX = 2 ** SERIES_ID_BITS - 1
/** Buckets count from 2025-01-01, so a row key stays a 6-byte varint for centuries. */
const KEY_EPOCH_MS = 1_735_689_600_000

/** The row key of (tier, absolute bucket index, series id): bucket-major, so keys grow with time. */
export function rowKey(tier: Tier, bucket: number, seriesId: number): number {
  return (bucket - Math.floor(KEY_EPOCH_MS / tier.resolutionMs)) * 2 ** SERIES_ID_BITS + seriesId
}

export function keyParts(tier: Tier, key: number): { bucket: number; seriesId: number } {
  const relative = Math.floor(key / 2 ** SERIES_ID_BITS)
  return { bucket: relative + Math.floor(KEY_EPOCH_MS / tier.resolutionMs), seriesId: key - relative * 2 ** SERIES_ID_BITS }
}

const SCALE: Record<SampleUnit, number> = { percent: 100, ratio: 10_000, seconds: 1e6, bytes: 1, counter: 1000, none: 1000 }

export function scaleOf(unit: string): number {
  return (SCALE as Record<string, number>)[unit] ?? 1000
}

export function encodeValue(value: number, scale: number): number {
  const scaled = Math.round(value * scale)
  return Number.isSafeInteger(scaled) ? scaled : value * scale
}

export function decodeValue(stored: number, scale: number): number {
  return stored / scale
}

/** An aggregated point, in stored (scaled) units. */
export interface StoredPoint {
  min: number
  max: number
  sum: number
  count: number
}

export function mergePoint(a: StoredPoint, b: StoredPoint): StoredPoint {
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max), sum: a.sum + b.sum, count: a.count + b.count }
}

/** The row's columns: min and max NULL, count NULL for a one-sample point. */
export function rowOf(p: StoredPoint): [number | null, number | null, number, number | null] {
  return p.count === 1 ? [null, null, p.sum, null] : [p.min, p.max, p.sum, p.count]
}

export function pointOfRow(min: number | null, max: number | null, sum: number, count: number | null): StoredPoint {
  return { min: min ?? sum, max: max ?? sum, sum, count: count ?? 1 }
}
