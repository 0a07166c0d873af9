/**
 * A short in-memory trend of each observed peer's heartbeat summaries, so `healthmon peer NAME`
 * can say where its CPU, memory, disk and load are heading (a least-squares slope per minute, as
 * Netdata's and Prometheus's deriv() do). Bounded: at most `pointsMax` points per peer, one per
 * `intervalMs` at most, and at most `peersMax` peers (the least recently heard is forgotten).
 * Every figure passes metric validation on the way in (the wire is one of validation's sources):
 * a rejected figure is stored as "not measured", counted in the validator.
 */
import type { PeerTrend, TrendHeading, TrendPoint } from '../domain/index.ts'
import type { HealthSummary } from '../transport/codec.ts'
import type { SampleValidator } from './validate.ts'

export interface PeerTrendsOptions {
  validator: SampleValidator
  /** Points kept per peer. */
  pointsMax: number
  /** Minimum spacing of points: heartbeats arrive every second, the trend keeps one per interval. */
  intervalMs: number
  peersMax: number
}

interface Point {
  atMs: number
  cpuPercent: number | null
  memoryPercent: number | null
  diskPercent: number | null
  loadPerCore: number | null
}

const FIGURES = ['cpuPercent', 'memoryPercent', 'diskPercent', 'loadPerCore'] as const
type Figure = (typeof FIGURES)[number]
const SAMPLE_NAMES: Record<Figure, [string, 'percent' | 'none']> = {
  cpuPercent: ['healthmon_cpu_busy_percent', 'percent'],
  memoryPercent: ['healthmon_memory_used_percent', 'percent'],
  diskPercent: ['healthmon_filesystem_used_percent', 'percent'],
  loadPerCore: ['healthmon_load1_per_core', 'none']
}

export class PeerTrends {
  private readonly options: PeerTrendsOptions
  /** Insertion order is recency order: a peer heard is moved to the end. */
  private readonly peers = new Map<string, Point[]>()

  constructor(options: PeerTrendsOptions) {
    this.options = options
  }

  get size(): number {
    return this.peers.size
  }

  record(peerId: string, health: HealthSummary, atMs: number): void {
    const r = health.resources
    if (r === undefined) return
    let points = this.peers.get(peerId)
    const last = points?.at(-1)
    if (last !== undefined && atMs - last.atMs < this.options.intervalMs) return
    const point: Point = { atMs, cpuPercent: null, memoryPercent: null, diskPercent: null, loadPerCore: null }
    for (const figure of FIGURES) {
      const value = r[figure]
      if (value === null) continue
      const [name, unit] = SAMPLE_NAMES[figure]
      if (this.options.validator.admit([{ name, labels: {}, value, unit, atMs }], atMs).length === 1) point[figure] = value
    }
    if (points === undefined) {
      points = []
      if (this.peers.size >= this.options.peersMax) this.peers.delete(this.peers.keys().next().value!)
    } else this.peers.delete(peerId)
    this.peers.set(peerId, points)
    points.push(point)
    if (points.length > this.options.pointsMax) points.splice(0, points.length - this.options.pointsMax)
  }

  forget(peerId: string): void {
    this.peers.delete(peerId)
  }

  trend(peerId: string): PeerTrend | null {
    const points = this.peers.get(peerId)
    if (points === undefined || points.length === 0) return null
    const heading = {} as PeerTrend['heading']
    for (const figure of FIGURES) heading[figure] = headingOf(points, figure)
    const out: TrendPoint[] = points.map((p) => ({ at: new Date(p.atMs).toISOString(), cpuPercent: p.cpuPercent, memoryPercent: p.memoryPercent, diskPercent: p.diskPercent, loadPerCore: p.loadPerCore }))
    return { points: out, heading }
  }
}

/** Least-squares slope per minute over the points that have the figure. */
export function headingOf(points: readonly Point[], figure: Figure): TrendHeading {
  const xs: number[] = []
  const ys: number[] = []
  for (const p of points) {
    const v = p[figure]
    if (v !== null) {
      xs.push(p.atMs / 60_000)
      ys.push(v)
    }
  }
  const last = ys.at(-1) ?? null
  if (xs.length < 2) return { last, perMinute: null }
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length
  const my = ys.reduce((a, b) => a + b, 0) / ys.length
  let num = 0
  let den = 0
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my)
    den += (xs[i]! - mx) ** 2
  }
  return { last, perMinute: den === 0 ? null : Math.round((num / den) * 1000) / 1000 }
}
