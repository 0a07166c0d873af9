/**
 * The resource collectors' shell: reads /proc, statfs(2) and Node's own counters, synchronously
 * and without ever spawning a process, and hands the text to the pure parsers. A file that is
 * missing (PSI on kernels before 4.20 or without CONFIG_PSI, /proc itself off Linux) means "not
 * reported"; any other failure is counted per collector and the rest of the reading goes on.
 * Synchronous reads of procfs are served from kernel memory in microseconds, which keeps one
 * reading well under the 5 ms budget (scripts/bench-health.ts measures it).
 */
import { readdirSync, readFileSync, realpathSync, statfsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { performance, type EventLoopUtilization } from 'node:perf_hooks'
import { resolve } from 'node:path'
import {
  cpuPercentByMode, mountPointOf, parseFileNr, parseLoadavg, parseMeminfo, parseMountPoints, parsePressure, parseProcStat, type CpuTimes
} from './proc-parsers.ts'
import { PRESSURE_RESOURCES, type DiskReading, type PressureResource, type ResourceReading } from './resource-reading.ts'

export const COLLECTOR_NAMES = ['stat', 'loadavg', 'meminfo', 'filesystem', 'filefd', 'fd', 'pressure'] as const
export type CollectorName = (typeof COLLECTOR_NAMES)[number]

export interface CollectorOptions {
  /** Paths whose file systems are watched; each is reported under its mount point. */
  paths: readonly string[]
  /** Root of procfs (tests may point it at a copy). */
  procRoot?: string
}

/** Reads a file, or undefined when it does not exist (not an error: the kernel lacks it). */
function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

export class ResourceCollectors {
  /** Failed reads by collector (a parse failure or an I/O error other than "absent"). */
  readonly errors: Record<CollectorName, number> = Object.fromEntries(COLLECTOR_NAMES.map((n) => [n, 0])) as Record<CollectorName, number>
  private readonly proc: string
  private readonly mounts: { path: string; mountpoint: string }[]
  private previousCpu: CpuTimes | undefined
  private previousElu: EventLoopUtilization = performance.eventLoopUtilization()
  private loopDelayMaxMs: number | undefined

  constructor(options: CollectorOptions) {
    this.proc = options.procRoot ?? '/proc'
    const mountPoints = this.guard('filesystem', () => parseMountPoints(readOptional(`${this.proc}/self/mountinfo`) ?? '')) ?? []
    // Several paths on one file system are reported once, under its mount point.
    const seen = new Set<string>()
    this.mounts = []
    for (const p of options.paths) {
      let real: string
      try {
        real = realpathSync(resolve(p))
      } catch {
        real = resolve(p)
      }
      const mountpoint = mountPointOf(real, mountPoints)
      if (seen.has(mountpoint)) continue
      seen.add(mountpoint)
      this.mounts.push({ path: real, mountpoint })
    }
    // A first CPU reading now, so the first sample already has a utilisation (since construction).
    this.previousCpu = this.guard('stat', () => parseProcStat(readOptional(`${this.proc}/stat`) ?? ''))?.cpu
  }

  /** The mount points reported, in order. */
  get mountpoints(): string[] {
    return this.mounts.map((m) => m.mountpoint)
  }

  /** Evidence of event-loop delay from the agent's lag monitor; the worst since the last reading is reported. */
  noteLoopDelay(delayMs: number): void {
    this.loopDelayMaxMs = Math.max(this.loopDelayMaxMs ?? 0, delayMs)
  }

  read(atMs: number): ResourceReading {
    const stat = this.guard('stat', () => parseProcStat(readOptional(`${this.proc}/stat`) ?? ''))
    const cpuTimes = stat?.cpu
    const byMode = cpuTimes !== undefined && this.previousCpu !== undefined ? cpuPercentByMode(this.previousCpu, cpuTimes) : undefined
    if (cpuTimes !== undefined) this.previousCpu = cpuTimes
    const elu = performance.eventLoopUtilization(this.previousElu)
    this.previousElu = performance.eventLoopUtilization()
    const delay = this.loopDelayMaxMs
    this.loopDelayMaxMs = undefined
    const heap = process.memoryUsage()
    const pressure: ResourceReading['pressure'] = {}
    for (const resource of PRESSURE_RESOURCES) {
      const p = this.guard('pressure', () => this.readPressure(resource))
      if (p !== undefined) pressure[resource] = p
    }
    return {
      atMs,
      cpus: stat?.cpus ?? availableParallelism(),
      cpuTimes,
      cpuPercentByMode: byMode,
      load: this.guard('loadavg', () => parseLoadavg(readOptional(`${this.proc}/loadavg`) ?? '')),
      memory: this.guard('meminfo', () => parseMeminfo(readOptional(`${this.proc}/meminfo`) ?? '')),
      disks: this.readDisks(),
      fileHandles: this.guard('filefd', () => parseFileNr(readOptional(`${this.proc}/sys/fs/file-nr`) ?? '')),
      openFds: this.guard('fd', () => readdirSync(`${this.proc}/self/fd`).length),
      pressure,
      eventLoopUtilization: elu.idle + elu.active > 0 ? elu.utilization : undefined,
      eventLoopDelayMaxSeconds: delay === undefined ? undefined : delay / 1000,
      heapUsedBytes: heap.heapUsed,
      heapTotalBytes: heap.heapTotal
    }
  }

  private readPressure(resource: PressureResource) {
    const text = readOptional(`${this.proc}/pressure/${resource}`)
    return text === undefined ? undefined : parsePressure(text)
  }

  private readDisks(): DiskReading[] {
    const out: DiskReading[] = []
    for (const m of this.mounts) {
      const s = this.guard('filesystem', () => statfsSync(m.path))
      if (s === undefined) continue
      out.push({
        mountpoint: m.mountpoint,
        sizeBytes: s.blocks * s.bsize,
        availBytes: s.bavail * s.bsize,
        freeBytes: s.bfree * s.bsize,
        files: s.files,
        filesFree: s.ffree
      })
    }
    return out
  }

  /** Runs one collector; a throw is counted and reads as "not measured" this time. */
  private guard<T>(name: CollectorName, read: () => T | undefined): T | undefined {
    try {
      return read()
    } catch {
      this.errors[name]++
      return undefined
    }
  }
}
