/**
 * One reading of the node's resources (what the collectors shell gathers each sample), and the
 * pure functions over it: the Samples it yields for history and /metrics, named as node_exporter
 * names them where an equivalent exists (node_cpu_seconds_total, node_load1,
 * node_memory_MemAvailable_bytes, node_filesystem_avail_bytes, node_pressure_*), and the compact
 * figures node status and heartbeats use.
 */
import type { Sample } from './types.ts'
import { CPU_MODES, cpuBusyPercent, type CpuTimes, type LoadAverage, type MemInfo, type Pressure } from './proc-parsers.ts'

export interface DiskReading {
  mountpoint: string
  sizeBytes: number
  /** Free to unprivileged users (statfs f_bavail): what node-mixin's "space left" means. */
  availBytes: number
  freeBytes: number
  files: number
  filesFree: number
}

export const PRESSURE_RESOURCES = ['cpu', 'memory', 'io'] as const
export type PressureResource = (typeof PRESSURE_RESOURCES)[number]

export interface ResourceReading {
  atMs: number
  /** CPUs online (cpuN lines of /proc/stat, else os.availableParallelism()). */
  cpus: number
  /** Cumulative CPU seconds by mode since boot, all CPUs. */
  cpuTimes: CpuTimes | undefined
  /** Utilisation by mode in percent since the previous reading; undefined on the first. */
  cpuPercentByMode: Record<keyof CpuTimes, number> | undefined
  load: LoadAverage | undefined
  memory: MemInfo | undefined
  disks: DiskReading[]
  fileHandles: { allocated: number; maximum: number } | undefined
  /** This process's open file descriptors (/proc/self/fd). */
  openFds: number | undefined
  /** Pressure stall information, only for the resources the kernel reports. */
  pressure: Partial<Record<PressureResource, Pressure>>
  /** Share of time the event loop was busy since the previous reading, 0-1. */
  eventLoopUtilization: number | undefined
  /** Worst event-loop delay since the previous reading, seconds. */
  eventLoopDelayMaxSeconds: number | undefined
  heapUsedBytes: number
  heapTotalBytes: number
}

/** The figures node status and heartbeats are made of; undefined where not measured. */
export interface ResourceFigures {
  cpuPercent: number | undefined
  memoryPercent: number | undefined
  swapPercent: number | undefined
  loadPerCore: number | undefined
  /** The fullest disk: used space in percent (100 - avail/size), and its mount point. */
  disk: { mountpoint: string; usedPercent: number; inodesUsedPercent: number } | undefined
}

export function usedPercent(total: number, available: number): number | undefined {
  return total > 0 ? Math.max(0, Math.min(100, (100 * (total - available)) / total)) : undefined
}

export function figuresOf(r: ResourceReading): ResourceFigures {
  let disk: ResourceFigures['disk']
  for (const d of r.disks) {
    const used = usedPercent(d.sizeBytes, d.availBytes)
    if (used === undefined) continue
    const inodes = usedPercent(d.files, d.filesFree) ?? 0
    if (disk === undefined || Math.max(used, inodes) > Math.max(disk.usedPercent, disk.inodesUsedPercent)) {
      disk = { mountpoint: d.mountpoint, usedPercent: used, inodesUsedPercent: inodes }
    }
  }
  return {
    cpuPercent: r.cpuPercentByMode === undefined ? undefined : cpuBusyPercent(r.cpuPercentByMode),
    memoryPercent: r.memory === undefined ? undefined : usedPercent(r.memory.totalBytes, r.memory.availableBytes),
    swapPercent: r.memory === undefined || r.memory.swapTotalBytes === 0 ? undefined : usedPercent(r.memory.swapTotalBytes, r.memory.swapFreeBytes),
    loadPerCore: r.load === undefined ? undefined : r.load.load1 / Math.max(1, r.cpus),
    disk
  }
}

type Push = (name: string, value: number | undefined, unit: Sample['unit'], labels?: Record<string, string>) => void

/** Every sample of a reading. Values the reading lacks are simply absent (PSI on old kernels). */
export function samplesOf(r: ResourceReading): Sample[] {
  const out: Sample[] = []
  const push: Push = (name, value, unit, labels = {}) => {
    if (value !== undefined) out.push({ name, labels, value, unit, atMs: r.atMs })
  }
  const f = figuresOf(r)
  if (r.cpuTimes !== undefined) for (const mode of CPU_MODES) push('node_cpu_seconds_total', r.cpuTimes[mode], 'counter', { mode })
  if (r.cpuPercentByMode !== undefined) for (const mode of CPU_MODES) push('healthmon_cpu_mode_percent', r.cpuPercentByMode[mode], 'percent', { mode })
  push('healthmon_cpu_busy_percent', f.cpuPercent, 'percent')
  push('node_cpus', r.cpus, 'none')
  push('node_load1', r.load?.load1, 'none')
  push('node_load5', r.load?.load5, 'none')
  push('node_load15', r.load?.load15, 'none')
  push('healthmon_load1_per_core', f.loadPerCore, 'none')
  push('node_memory_MemTotal_bytes', r.memory?.totalBytes, 'bytes')
  push('node_memory_MemAvailable_bytes', r.memory?.availableBytes, 'bytes')
  push('node_memory_SwapTotal_bytes', r.memory?.swapTotalBytes, 'bytes')
  push('node_memory_SwapFree_bytes', r.memory?.swapFreeBytes, 'bytes')
  push('healthmon_memory_used_percent', f.memoryPercent, 'percent')
  push('healthmon_swap_used_percent', f.swapPercent, 'percent')
  for (const d of r.disks) {
    const labels = { mountpoint: d.mountpoint }
    push('node_filesystem_size_bytes', d.sizeBytes, 'bytes', labels)
    push('node_filesystem_avail_bytes', d.availBytes, 'bytes', labels)
    push('node_filesystem_free_bytes', d.freeBytes, 'bytes', labels)
    push('node_filesystem_files', d.files, 'none', labels)
    push('node_filesystem_files_free', d.filesFree, 'none', labels)
    push('healthmon_filesystem_used_percent', usedPercent(d.sizeBytes, d.availBytes), 'percent', labels)
  }
  push('node_filefd_allocated', r.fileHandles?.allocated, 'none')
  push('node_filefd_maximum', r.fileHandles?.maximum, 'none')
  push('process_open_fds', r.openFds, 'none')
  for (const resource of PRESSURE_RESOURCES) {
    const p = r.pressure[resource]
    if (p === undefined) continue
    push(`node_pressure_${resource}_waiting_seconds_total`, p.some.totalSeconds, 'counter')
    // cpu "full" exists since Linux 5.13 but is meaningless system-wide; node_exporter skips it too.
    if (resource !== 'cpu') push(`node_pressure_${resource}_stalled_seconds_total`, p.full?.totalSeconds, 'counter')
  }
  push('nodejs_eventloop_utilization_ratio', r.eventLoopUtilization, 'ratio')
  push('nodejs_eventloop_lag_max_seconds', r.eventLoopDelayMaxSeconds, 'seconds')
  push('nodejs_heap_size_used_bytes', r.heapUsedBytes, 'bytes')
  push('nodejs_heap_size_total_bytes', r.heapTotalBytes, 'bytes')
  return out
}
