import type { ConvergenceResult, DetectionResult, FalseDeathsResult, FlappingResult } from './checkers/index.ts'
import type { FaultLog } from './fault-log.ts'
import type { TrafficSnapshot } from './sim-network.ts'

/**
 * The run's JSON summary, shared by the simulator and the real-process cluster runner:
 * detection latency (p50/p99/max to suspect and to dead), false suspects and deaths, traffic per
 * node per second, time to converge, and each checker's verdict. Everything in it is a function
 * of the seed; wall-clock figures live in a separate `run` section that the determinism check
 * ignores.
 */
export interface Distribution {
  count: number
  p50: number | null
  p99: number | null
  max: number | null
}

export function distribution(values: readonly (number | null)[]): Distribution {
  const xs = values.filter((v): v is number => v !== null).map((v) => Math.round(v)).sort((a, b) => a - b)
  const q = (p: number): number | null => (xs.length === 0 ? null : xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(p * xs.length) - 1))]!)
  return { count: xs.length, p50: q(0.5), p99: q(0.99), max: xs.length === 0 ? null : xs[xs.length - 1]! }
}

export interface Traffic {
  /** Node-seconds of running time in the measured window (the denominator). */
  nodeSeconds: number
  messagesSentPerNodePerSecond: number
  messagesReceivedPerNodePerSecond: number
  bytesSentPerNodePerSecond: number
  bytesReceivedPerNodePerSecond: number
  /** The busiest node's sent messages per second. */
  messagesSentPerSecondMax: number
  byKind: Record<string, { messagesSentPerNodePerSecond: number; bytesSentPerNodePerSecond: number }>
  dropped: Record<string, number>
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits

/** Traffic between two snapshots of the network's counters, over the nodes' running time. */
export function traffic(before: TrafficSnapshot, after: TrafficSnapshot, faults: FaultLog, fromMs: number, toMs: number): Traffic {
  const n = after.perNode.messagesSent.length
  let nodeMs = 0
  let maxRate = 0
  const sum = { ms: 0, mr: 0, bs: 0, br: 0 }
  for (let i = 0; i < n; i++) {
    let down = 0
    for (const f of faults.of(i)) {
      if (f.kind !== 'crash' && f.kind !== 'host-crash' && f.kind !== 'left') continue
      down += Math.max(0, Math.min(toMs, f.toMs) - Math.max(fromMs, f.fromMs))
    }
    const up = Math.max(0, toMs - fromMs - down)
    nodeMs += up
    const sent = after.perNode.messagesSent[i]! - before.perNode.messagesSent[i]!
    if (up > 0) maxRate = Math.max(maxRate, sent / (up / 1000))
    sum.ms += sent
    sum.mr += after.perNode.messagesReceived[i]! - before.perNode.messagesReceived[i]!
    sum.bs += after.perNode.bytesSent[i]! - before.perNode.bytesSent[i]!
    sum.br += after.perNode.bytesReceived[i]! - before.perNode.bytesReceived[i]!
  }
  const ns = nodeMs / 1000
  const per = (x: number): number => (ns > 0 ? round(x / ns) : 0)
  const byKind: Traffic['byKind'] = {}
  for (const [k, v] of Object.entries(after.byKind)) {
    const b = before.byKind[k as keyof typeof before.byKind]
    byKind[k] = { messagesSentPerNodePerSecond: per(v.messagesSent - b.messagesSent), bytesSentPerNodePerSecond: per(v.bytesSent - b.bytesSent) }
  }
  const dropped: Record<string, number> = {}
  for (const [k, v] of Object.entries(after.dropped)) dropped[k] = v - before.dropped[k as keyof typeof before.dropped]
  return {
    nodeSeconds: round(ns, 1),
    messagesSentPerNodePerSecond: per(sum.ms),
    messagesReceivedPerNodePerSecond: per(sum.mr),
    bytesSentPerNodePerSecond: per(sum.bs),
    bytesReceivedPerNodePerSecond: per(sum.br),
    messagesSentPerSecondMax: round(maxRate),
    byKind,
    dropped
  }
}

export interface Checks {
  falseDeaths: FalseDeathsResult
  detection: DetectionResult
  convergence: ConvergenceResult
  flapping: FlappingResult
}

/** The checkers' verdicts, without the per-pair latency lists (those go to the latency section). */
export function checksSection(c: Checks): Record<string, unknown> {
  const { suspectMs: _s, deadMs: _d, ...detection } = c.detection
  return { 'no-false-deaths': c.falseDeaths, 'detection-bound': detection, convergence: c.convergence, 'no-flapping': c.flapping }
}

export function detectionSection(d: DetectionResult): Record<string, unknown> {
  return {
    crashes: d.crashes,
    observerPairs: d.pairs,
    suspectMs: distribution(d.suspectMs),
    deadMs: distribution(d.deadMs),
    undetected: d.undetected
  }
}
