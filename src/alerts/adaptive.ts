/**
 * Adaptive thresholds: a rolling median/MAD band per series. The median and the median absolute
 * deviation are the robust baseline of "what this series usually looks like lately"; a point is
 * outside when |value - median| > max(deviations x 1.4826 x MAD, bandMin) (1.4826 x MAD
 * estimates the standard deviation of normal data; Leys et al., "Detecting outliers: Do not use
 * standard deviation around the mean, use absolute deviation around the median", 2013).
 *
 * - Warm-up: no verdict until the baseline spans warmupMs.
 * - Fire when at least triggerShare of the points in the last triggerWindowMs are outside (one
 *   spike is not an incident); clear, once active, when at most recoveryShare of the points in the
 *   last recoveryWindowMs are outside (hysteresis on the share).
 * - Every point joins the baseline, outliers included: a level that persists becomes the new
 *   normal, so a step change fires once and clears once instead of firing forever.
 * - A slow diurnal swing moves the median with it (the window is much shorter than a day), so it
 *   never leaves the band.
 */
export interface AdaptiveOptions {
  baselineWindowMs: number
  baselinePointsMax: number
  warmupMs: number
  deviations: number
  bandMin: number
  triggerWindowMs: number
  triggerShare: number
  recoveryWindowMs: number
  recoveryShare: number
}

export const ADAPTIVE_DEFAULTS: AdaptiveOptions = {
  baselineWindowMs: 2 * 3_600_000,
  baselinePointsMax: 240,
  warmupMs: 3_600_000,
  deviations: 4,
  bandMin: 0,
  triggerWindowMs: 5 * 60_000,
  triggerShare: 0.8,
  recoveryWindowMs: 10 * 60_000,
  recoveryShare: 0.2
}

/** Points remembered for the trigger and recovery windows, whatever the sample rate. */
export const ADAPTIVE_RECENT_POINTS_MAX = 1_000

export interface AdaptiveSeries {
  /** Baseline points (downsampled). */
  t: number[]
  v: number[]
  /** Recent points: time and whether each was outside the band. */
  recentT: number[]
  recentOut: boolean[]
  median: number
  /** Band half-width. */
  halfWidth: number
  active: boolean
}

export interface AdaptiveVerdict {
  active: boolean
  baseline: number
  bandLow: number
  bandHigh: number
}

export function emptyAdaptive(): AdaptiveSeries {
  return { t: [], v: [], recentT: [], recentOut: [], median: NaN, halfWidth: NaN, active: false }
}

function median(sorted: readonly number[]): number {
  const n = sorted.length
  const mid = n >>> 1
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

function recomputeBand(s: AdaptiveSeries, o: AdaptiveOptions): void {
  const sorted = [...s.v].sort((a, b) => a - b)
  s.median = median(sorted)
  const deviations = sorted.map((x) => Math.abs(x - s.median)).sort((a, b) => a - b)
  s.halfWidth = Math.max(o.deviations * 1.4826 * median(deviations), o.bandMin)
}

function shareOutside(s: AdaptiveSeries, sinceMs: number): { share: number; points: number } {
  let points = 0
  let outside = 0
  for (let i = s.recentT.length - 1; i >= 0 && s.recentT[i]! > sinceMs; i--) {
    points++
    if (s.recentOut[i]) outside++
  }
  return { share: points === 0 ? 0 : outside / points, points }
}

/**
 * Feeds one point; returns the verdict, or undefined during warm-up. The point is judged
 * against the band before it joins the baseline.
 */
export function addAdaptivePoint(s: AdaptiveSeries, o: AdaptiveOptions, atMs: number, value: number): AdaptiveVerdict | undefined {
  if (!Number.isFinite(value)) return undefined
  let verdict: AdaptiveVerdict | undefined
  const warm = s.t.length >= 3 && s.t[s.t.length - 1]! - s.t[0]! >= o.warmupMs
  if (warm) {
    s.recentT.push(atMs)
    s.recentOut.push(Math.abs(value - s.median) > s.halfWidth)
    const keepSince = atMs - Math.max(o.triggerWindowMs, o.recoveryWindowMs)
    while (s.recentT.length > ADAPTIVE_RECENT_POINTS_MAX || (s.recentT.length > 0 && s.recentT[0]! <= keepSince)) {
      s.recentT.shift()
      s.recentOut.shift()
    }
    if (!s.active) {
      const trigger = shareOutside(s, atMs - o.triggerWindowMs)
      if (trigger.points >= 3 && trigger.share >= o.triggerShare) s.active = true
    } else {
      const recovery = shareOutside(s, atMs - o.recoveryWindowMs)
      const spanned = s.recentT[0]! <= atMs - o.recoveryWindowMs * 0.9 || s.recentT.length === ADAPTIVE_RECENT_POINTS_MAX
      if (spanned && recovery.share <= o.recoveryShare) s.active = false
    }
    verdict = { active: s.active, baseline: s.median, bandLow: s.median - s.halfWidth, bandHigh: s.median + s.halfWidth }
  }
  const last = s.t[s.t.length - 1]
  if (last === undefined || atMs - last >= o.baselineWindowMs / o.baselinePointsMax) {
    s.t.push(atMs)
    s.v.push(value)
    while (s.t.length > o.baselinePointsMax || s.t[0]! < atMs - o.baselineWindowMs) {
      s.t.shift()
      s.v.shift()
    }
    recomputeBand(s, o)
  }
  return verdict
}
