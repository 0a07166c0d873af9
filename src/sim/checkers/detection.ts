import type { FaultLog } from '../fault-log.ts'
import { EV, type Trace } from '../trace.ts'
import { Health } from './health.ts'
import type { CheckOptions } from './options.ts'

/**
 * Detection bound: every crashed node is dead at every healthy live node within
 * detectionBoundMs of the crash. For each crash or host crash of node v at tc that lasted at
 * least the bound, and each other node o healthy (Health.observerHealthy) throughout
 * [tc - graceMs, tc + bound]: the latency to suspect is the first event at o about v entering
 * suspect or dead at or after tc, the latency to dead the first entering dead. The check fails
 * for every pair with no dead verdict within the bound. Latencies found after the bound are still
 * reported (the distribution shows how late), undetected pairs are counted.
 */
export interface DetectionResult {
  name: 'detection-bound'
  pass: boolean
  boundMs: number
  crashes: number
  /** Crashes not checked because the node came back within the bound. */
  skipped: number
  pairs: number
  /** Per (crash, observer): ms to suspect / to dead; null when it never happened before the run ended. */
  suspectMs: (number | null)[]
  deadMs: (number | null)[]
  late: number
  undetected: number
  examples: { victim: string; observer: string; deadMs: number | null }[]
}

export function checkDetection(trace: Trace, faults: FaultLog, options: CheckOptions, nodes: number, endMs: number): DetectionResult {
  const health = new Health(faults, options)
  const bound = options.detectionBoundMs
  const index = trace.byPeer()
  const suspectMs: (number | null)[] = []
  const deadMs: (number | null)[] = []
  const examples: DetectionResult['examples'] = []
  let crashes = 0
  let skipped = 0
  let late = 0
  let undetected = 0
  for (const f of faults.faults) {
    if (f.kind !== 'crash' && f.kind !== 'host-crash') continue
    const tc = f.fromMs
    if (f.toMs < tc + bound || tc + bound > endMs) {
      skipped++
      continue
    }
    crashes++
    const v = f.node
    const firstSuspect = new Float64Array(nodes).fill(NaN)
    const firstDead = new Float64Array(nodes).fill(NaN)
    for (let j = index.starts[v]!; j < index.starts[v + 1]!; j++) {
      const i = index.events[j]!
      const t = trace.t[i]!
      if (t < tc || t > f.toMs) continue
      const type = trace.type[i]
      const o = trace.node[i]!
      if ((type === EV.suspected || type === EV.dead) && Number.isNaN(firstSuspect[o]!)) firstSuspect[o] = t - tc
      if (type === EV.dead && Number.isNaN(firstDead[o]!)) firstDead[o] = t - tc
    }
    for (let o = 0; o < nodes; o++) {
      if (o === v || !health.observerHealthy(o, tc, tc + bound)) continue
      const s = firstSuspect[o]!
      const d = firstDead[o]!
      suspectMs.push(Number.isNaN(s) ? null : s)
      deadMs.push(Number.isNaN(d) ? null : d)
      if (Number.isNaN(d) || d > bound) {
        if (Number.isNaN(d)) undetected++
        else late++
        if (examples.length < 10) examples.push({ victim: trace.nodeIds[v]!, observer: trace.nodeIds[o]!, deadMs: Number.isNaN(d) ? null : d })
      }
    }
  }
  return { name: 'detection-bound', pass: late === 0 && undetected === 0, boundMs: bound, crashes, skipped, pairs: deadMs.length, suspectMs, deadMs, late, undetected, examples }
}
