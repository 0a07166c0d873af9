/**
 * The node's health as others see it, pure: the compact summary carried in every heartbeat
 * (src/transport/codec.ts quantises it) and the fuller resource figures of GET /v1/self.
 */
import type { SelfResources } from '../domain/index.ts'
import type { HealthSummary } from '../transport/codec.ts'
import type { NodeStatusResult } from './node-status.ts'
import { figuresOf, usedPercent, type ResourceFigures, type ResourceReading } from './resource-reading.ts'

const orNull = (v: number | undefined): number | null => v === undefined ? null : v
const round = (v: number | undefined, digits: number): number | null => v === undefined ? null : Math.round(v * 10 ** digits) / 10 ** digits

/** The fullest disk as one number: the larger of space and inode use. */
export function diskPercentOf(f: ResourceFigures): number | undefined {
  return f.disk === undefined ? undefined : Math.max(f.disk.usedPercent, f.disk.inodesUsedPercent)
}

export function heartbeatSummary(result: NodeStatusResult, figures: ResourceFigures | undefined): HealthSummary {
  const summary: HealthSummary = { status: result.status, checksFailing: result.failingChecks.length, failingChecks: result.failingChecks }
  if (figures !== undefined) {
    summary.resources = {
      cpuPercent: orNull(figures.cpuPercent),
      memoryPercent: orNull(figures.memoryPercent),
      diskPercent: orNull(diskPercentOf(figures)),
      loadPerCore: orNull(figures.loadPerCore)
    }
  }
  return summary
}

export function selfResources(r: ResourceReading): SelfResources {
  const f = figuresOf(r)
  return {
    sampledAt: new Date(r.atMs).toISOString(),
    cpuPercent: round(f.cpuPercent, 1),
    cpuPercentByMode: r.cpuPercentByMode === undefined ? null : Object.fromEntries(Object.entries(r.cpuPercentByMode).map(([mode, v]) => [mode, round(v, 1)!])),
    memoryPercent: round(f.memoryPercent, 1),
    memoryAvailableBytes: orNull(r.memory?.availableBytes),
    memoryTotalBytes: orNull(r.memory?.totalBytes),
    swapPercent: round(f.swapPercent, 1),
    load1: orNull(r.load?.load1),
    load5: orNull(r.load?.load5),
    load15: orNull(r.load?.load15),
    cpus: r.cpus,
    loadPerCore: round(f.loadPerCore, 2),
    diskPercent: round(diskPercentOf(f), 1),
    disks: r.disks.map((d) => ({
      mountpoint: d.mountpoint,
      sizeBytes: d.sizeBytes,
      availBytes: d.availBytes,
      usedPercent: round(usedPercent(d.sizeBytes, d.availBytes), 1) ?? 0,
      inodesUsedPercent: round(usedPercent(d.files, d.filesFree), 1) ?? 0
    }))
  }
}
