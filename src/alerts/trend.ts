/**
 * Linear-trend prediction for "disk full within 24 h" rules: a bounded window of (time, value)
 * points per series, downsampled to one point per windowMs / pointsMax, and the least-squares
 * line through them (Prometheus' predict_linear, which the node_exporter mixin's
 * NodeFilesystemSpaceFillingUp alert uses). The rule's value becomes the seconds until the line
 * reaches 0, Infinity when the series is not falling.
 */
export interface TrendOptions {
  /** History the line is fitted over. */
  windowMs: number
  /** Points kept per series. */
  pointsMax: number
}
export const TREND_DEFAULTS: TrendOptions = { windowMs: 6 * 3_600_000, pointsMax: 72 }

/** One series' window, plain arrays so it serialises as JSON. */
export interface TrendWindow {
  t: number[]
  v: number[]
}

export function emptyTrend(): TrendWindow {
  return { t: [], v: [] }
}

/** Adds the point when the downsampling interval has passed, and drops points past the window. */
export function addTrendPoint(w: TrendWindow, options: TrendOptions, atMs: number, value: number): void {
  if (!Number.isFinite(value)) return
  const last = w.t[w.t.length - 1]
  if (last !== undefined && atMs - last < options.windowMs / options.pointsMax) {
    w.v[w.v.length - 1] = value // keep the newest value for the current slot
    return
  }
  w.t.push(atMs)
  w.v.push(value)
  while (w.t.length > options.pointsMax || (w.t.length > 0 && w.t[0]! < atMs - options.windowMs)) {
    w.t.shift()
    w.v.shift()
  }
}

/**
 * Seconds until the fitted line reaches 0 from `nowMs`; 0 when it already has, Infinity when
 * not falling; undefined until there are 3 points spanning a quarter of the window (too little
 * history to draw a line an operator should be woken for).
 */
export function secondsUntilZero(w: TrendWindow, options: TrendOptions, nowMs: number): number | undefined {
  const n = w.t.length
  if (n < 3 || w.t[n - 1]! - w.t[0]! < options.windowMs / 4) return undefined
  const t0 = w.t[0]!
  let sx = 0, sy = 0, sxx = 0, sxy = 0
  for (let i = 0; i < n; i++) {
    const x = (w.t[i]! - t0) / 1000
    const y = w.v[i]!
    sx += x; sy += y; sxx += x * x; sxy += x * y
  }
  const denominator = n * sxx - sx * sx
  if (denominator === 0) return undefined
  const slope = (n * sxy - sx * sy) / denominator
  const intercept = (sy - slope * sx) / n
  const now = intercept + slope * ((nowMs - t0) / 1000)
  if (now <= 0) return 0
  if (slope >= 0) return Infinity
  return -now / slope
}
