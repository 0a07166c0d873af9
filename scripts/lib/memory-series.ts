/**
 * A process's memory sampled over a run, and what the samples after warm-up say about it: the
 * growth from the end of warm-up to the end (the soak's target), and whether that growth levels
 * off (the mean of the last third of the samples against the middle third: near zero when RSS
 * rose under allocation churn and stopped, still rising when something is retained), with the
 * live heap's low points per third (the heap right after a GC; they rise only with a leak).
 * Shared by scripts/soak.ts and scripts/bench-rss.ts.
 */
import { readFileSync } from 'node:fs'

export interface MemorySample {
  atMs: number
  rssMb: number
  anonMb: number
  heapUsedMb: number | undefined
  heapTotalMb: number | undefined
}

export interface MemorySummary {
  warmupMb: number
  endMb: number
  growthPercent: number
  middleThirdMeanMb: number
  lastThirdMeanMb: number
  /** Last third's mean RSS against the middle third's, in percent. */
  levellingPercent: number
  /** The lowest heapUsed in each third after warm-up. */
  heapLowByThirdMb: (number | null)[]
  /** RSS every sample after warm-up, MB. */
  rssMb: number[]
}

/** VmRSS and RssAnon of a live process, in MB; undefined once it is gone. */
export function procMemoryMb(pid: number | undefined): { rssMb: number; anonMb: number } | undefined {
  if (pid === undefined) return undefined
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN)
    return { rssMb: round1(kb('VmRSS') / 1024), anonMb: round1(kb('RssAnon') / 1024) }
  } catch {
    return undefined
  }
}

/** A prom-client gauge in bytes from a /metrics body, in MB. */
export function metricMb(body: string, name: string): number | undefined {
  const v = new RegExp(`^${name} (\\S+)$`, 'm').exec(body)?.[1]
  return v === undefined ? undefined : round1(Number(v) / 1024 / 1024)
}

export function summarizeMemory(samples: readonly MemorySample[], warmupEndMs: number): MemorySummary | undefined {
  const after = samples.filter((s) => s.atMs >= warmupEndMs)
  if (after.length < 3) return undefined
  const third = Math.floor(after.length / 3)
  const thirds = [after.slice(0, third), after.slice(third, 2 * third), after.slice(2 * third)]
  const mean = (xs: readonly MemorySample[]) => xs.reduce((a, s) => a + s.rssMb, 0) / xs.length
  const first = after[0]!.rssMb
  const last = after.at(-1)!.rssMb
  const middle = mean(thirds[1]!)
  const end = mean(thirds[2]!)
  return {
    warmupMb: first, endMb: last, growthPercent: round1((last - first) / first * 100),
    middleThirdMeanMb: round1(middle), lastThirdMeanMb: round1(end), levellingPercent: round1((end - middle) / middle * 100),
    heapLowByThirdMb: thirds.map((t) => {
      const lows = t.map((s) => s.heapUsedMb).filter((h): h is number => h !== undefined)
      return lows.length === 0 ? null : Math.min(...lows)
    }),
    rssMb: after.map((s) => s.rssMb)
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10
}
