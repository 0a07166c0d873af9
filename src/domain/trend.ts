/** A peer's recent health figures and where they head (src/health/peer-trends.ts computes them). */

/** One point of a peer's trend. */
export interface TrendPoint {
  at: string
  cpuPercent: number | null
  memoryPercent: number | null
  diskPercent: number | null
  loadPerCore: number | null
}

/** Least-squares slope of a figure over the trend window, per minute; null with fewer than two points. */
export interface TrendHeading {
  last: number | null
  perMinute: number | null
}

export interface PeerTrend {
  /** Oldest first, at most one per sample interval. */
  points: TrendPoint[]
  heading: { cpuPercent: TrendHeading; memoryPercent: TrendHeading; diskPercent: TrendHeading; loadPerCore: TrendHeading }
}
