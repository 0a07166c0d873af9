/**
 * Node status, pure: `healthy | degraded | unhealthy` with the reasons, from three sources, the
 * worst winning (as Consul's node health is its worst check):
 * - the checks' damped reports: critical -> unhealthy; warning, unknown or flapping -> degraded
 *   (Nagios treats unknown as "cannot tell", which deserves attention but is no outage);
 * - the resource thresholds: a critical breach -> unhealthy, a warning one -> degraded. Defaults
 *   follow node_exporter's node-mixin alerts (disk space and inodes left < 10 % warning / < 5 %
 *   critical, memory used > 90 %, load1 per core > 2);
 * - Lifeguard local health awareness (src/detector/awareness.ts), which says whether this node's
 *   own timers can be trusted.
 */
import type { NodeStatus } from '../transport/codec.ts'
import type { ResourceFigures } from './resource-reading.ts'
import type { CheckReport } from './types.ts'

/** Warning and critical levels per resource (config: src/config/schema.ts). */
export interface ResourceThresholds {
  diskFreePercentWarning: number
  diskFreePercentCritical: number
  memoryUsedPercentWarning: number
  memoryUsedPercentCritical: number
  loadPerCoreWarning: number
  loadPerCoreCritical: number
}

export interface NodeStatusInput {
  awareness: NodeStatus
  checks: readonly CheckReport[]
  resources: ResourceFigures | undefined
  thresholds: ResourceThresholds
}

export interface NodeStatusResult {
  status: NodeStatus
  /** Why, worst first; empty when healthy. */
  reasons: string[]
  /** Ids of the checks not passing (critical first), for the heartbeat. */
  failingChecks: string[]
}

const RANK: Record<NodeStatus, number> = { healthy: 0, degraded: 1, unhealthy: 2 }

export function worse(a: NodeStatus, b: NodeStatus): NodeStatus {
  return RANK[b] > RANK[a] ? b : a
}

const fmt = (n: number): string => (Math.round(n * 10) / 10).toString()

/** A "higher is worse" level against its two thresholds. */
function level(value: number | undefined, warning: number, critical: number): NodeStatus {
  if (value === undefined) return 'healthy'
  return value > critical ? 'unhealthy' : value > warning ? 'degraded' : 'healthy'
}

export function nodeStatus(input: NodeStatusInput): NodeStatusResult {
  const found: { status: NodeStatus; reason: string }[] = []
  if (input.awareness !== 'healthy') found.push({ status: input.awareness, reason: `local health awareness: this node is ${input.awareness} (its own timers run late)` })

  const failing = input.checks.filter((c) => c.status !== 'passing' || c.flapping)
  const ordered = [...failing].sort((a, b) => checkRank(b) - checkRank(a) || a.id.localeCompare(b.id))
  for (const c of ordered) {
    const status: NodeStatus = c.status === 'critical' ? 'unhealthy' : 'degraded'
    found.push({ status, reason: `check ${c.id} ${c.status}${c.flapping ? ' (flapping)' : ''}` })
  }

  const r = input.resources
  const t = input.thresholds
  if (r !== undefined) {
    if (r.disk !== undefined) {
      const freePercent = 100 - Math.max(r.disk.usedPercent, r.disk.inodesUsedPercent)
      const what = r.disk.inodesUsedPercent > r.disk.usedPercent ? 'inodes' : 'space'
      // "Less free than" is "more used than": one level function serves both.
      const s = level(100 - freePercent, 100 - t.diskFreePercentWarning, 100 - t.diskFreePercentCritical)
      if (s !== 'healthy') found.push({ status: s, reason: `disk ${r.disk.mountpoint}: ${fmt(freePercent)} % ${what} free (${s === 'unhealthy' ? 'critical' : 'warning'} below ${s === 'unhealthy' ? t.diskFreePercentCritical : t.diskFreePercentWarning} %)` })
    }
    const mem = level(r.memoryPercent, t.memoryUsedPercentWarning, t.memoryUsedPercentCritical)
    if (mem !== 'healthy') found.push({ status: mem, reason: `memory ${fmt(r.memoryPercent!)} % used (${mem === 'unhealthy' ? 'critical' : 'warning'} above ${mem === 'unhealthy' ? t.memoryUsedPercentCritical : t.memoryUsedPercentWarning} %)` })
    const load = level(r.loadPerCore, t.loadPerCoreWarning, t.loadPerCoreCritical)
    if (load !== 'healthy') found.push({ status: load, reason: `load ${fmt(r.loadPerCore!)} per core (${load === 'unhealthy' ? 'critical' : 'warning'} above ${load === 'unhealthy' ? t.loadPerCoreCritical : t.loadPerCoreWarning})` })
  }

  found.sort((a, b) => RANK[b.status] - RANK[a.status])
  const status = found.reduce<NodeStatus>((s, f) => worse(s, f.status), 'healthy')
  return { status, reasons: found.map((f) => f.reason), failingChecks: ordered.map((c) => c.id) }
}

function checkRank(c: CheckReport): number {
  return c.status === 'critical' ? 3 : c.status === 'warning' ? 2 : c.status === 'unknown' ? 1 : 0
}
