/**
 * Pure parsers for the kernel's text files the resource collectors read (proc(5)). Each takes the
 * file's text and returns numbers, or undefined for what the text does not hold; none throws, so
 * an odd kernel or a truncated read costs one reading, never the sampler. Tested against real
 * /proc text (test/health/fixtures/).
 */

/** CPU time by mode, in seconds, summed over all CPUs (/proc/stat's first `cpu` line). */
export interface CpuTimes {
  user: number
  nice: number
  system: number
  idle: number
  iowait: number
  irq: number
  softirq: number
  steal: number
}
export const CPU_MODES: readonly (keyof CpuTimes)[] = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal']

/**
 * Linux reports /proc/stat in USER_HZ ticks, which is 100 on every architecture the kernel
 * exports to user space (proc(5), sysconf(_SC_CLK_TCK)); node_exporter assumes the same.
 */
export const USER_HZ = 100

export interface ProcStat {
  cpu: CpuTimes
  /** Number of `cpuN` lines: the CPUs online. */
  cpus: number
}

/**
 * /proc/stat: "cpu  user nice system idle iowait irq softirq steal guest guest_nice". guest and
 * guest_nice are already included in user and nice (proc(5)), so they are not added again.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  let cpu: CpuTimes | undefined
  let cpus = 0
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu ')) {
      const f = line.trim().split(/\s+/).slice(1, 9).map(Number)
      if (f.length < 4 || !f.every((n) => Number.isFinite(n) && n >= 0)) return undefined
      const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f.map((ticks) => ticks / USER_HZ)
      cpu = { user, nice, system, idle, iowait, irq, softirq, steal }
    } else if (/^cpu\d+ /.test(line)) cpus++
  }
  return cpu === undefined ? undefined : { cpu, cpus: Math.max(1, cpus) }
}

/**
 * CPU utilisation by mode, in percent of all CPUs, between two readings (what top and
 * node-mixin's "CPU usage" show). Undefined when no time passed or a counter went backwards
 * (a reset, or readings from different hosts).
 */
export function cpuPercentByMode(before: CpuTimes, after: CpuTimes): Record<keyof CpuTimes, number> | undefined {
  let total = 0
  const delta = {} as Record<keyof CpuTimes, number>
  for (const mode of CPU_MODES) {
    const d = after[mode] - before[mode]
    if (d < 0) return undefined
    delta[mode] = d
    total += d
  }
  if (total <= 0) return undefined
  for (const mode of CPU_MODES) delta[mode] = (100 * delta[mode]) / total
  return delta
}

/** Busy share in percent: everything but idle and iowait (node-mixin's CPU utilisation). */
export function cpuBusyPercent(byMode: Record<keyof CpuTimes, number>): number {
  return Math.max(0, Math.min(100, 100 - byMode.idle - byMode.iowait))
}

export interface LoadAverage {
  load1: number
  load5: number
  load15: number
}

/** /proc/loadavg: "0.52 0.58 0.59 2/345 12345". */
export function parseLoadavg(text: string): LoadAverage | undefined {
  const [a, b, c] = text.trim().split(/\s+/).map(Number)
  if (a === undefined || b === undefined || c === undefined || ![a, b, c].every((n) => Number.isFinite(n) && n >= 0)) return undefined
  return { load1: a, load5: b, load15: c }
}

/** The /proc/meminfo fields healthmon uses, in bytes. */
export interface MemInfo {
  totalBytes: number
  /** The kernel's estimate of memory available without swapping (MemAvailable, Linux 3.14+). */
  availableBytes: number
  swapTotalBytes: number
  swapFreeBytes: number
}

/**
 * /proc/meminfo: "MemTotal:       24683584 kB". The "kB" there is KiB (1024 bytes). Without
 * MemAvailable (kernels before 3.14) the estimate is MemFree + Buffers + Cached, as free(1) did.
 */
export function parseMeminfo(text: string): MemInfo | undefined {
  const fields = new Map<string, number>()
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?\s*$/.exec(line)
    if (m !== null) fields.set(m[1]!, Number(m[2]) * (line.trimEnd().endsWith('kB') ? 1024 : 1))
  }
  const total = fields.get('MemTotal')
  if (total === undefined || total <= 0) return undefined
  const available = fields.get('MemAvailable') ?? (fields.get('MemFree') ?? 0) + (fields.get('Buffers') ?? 0) + (fields.get('Cached') ?? 0)
  return {
    totalBytes: total,
    availableBytes: Math.min(available, total),
    swapTotalBytes: fields.get('SwapTotal') ?? 0,
    swapFreeBytes: fields.get('SwapFree') ?? 0
  }
}

/** One line of /proc/pressure/<resource>: the share of time tasks stalled, and the total stall. */
export interface PressureLine {
  avg10: number
  avg60: number
  avg300: number
  /** Cumulative stall time in seconds (the kernel counts microseconds). */
  totalSeconds: number
}

export interface Pressure {
  some: PressureLine
  /** Absent for cpu on kernels before 5.13 (no "full" line). */
  full: PressureLine | undefined
}

/** /proc/pressure/{cpu,memory,io} (PSI, Linux 4.20+): "some avg10=0.00 avg60=0.00 avg300=0.00 total=0". */
export function parsePressure(text: string): Pressure | undefined {
  const lines = new Map<string, PressureLine>()
  for (const line of text.split('\n')) {
    const m = /^(some|full) avg10=([\d.]+) avg60=([\d.]+) avg300=([\d.]+) total=(\d+)\s*$/.exec(line)
    if (m !== null) lines.set(m[1]!, { avg10: Number(m[2]), avg60: Number(m[3]), avg300: Number(m[4]), totalSeconds: Number(m[5]) / 1e6 })
  }
  const some = lines.get('some')
  return some === undefined ? undefined : { some, full: lines.get('full') }
}

/** /proc/sys/fs/file-nr: "allocated  unused  maximum" file handles of the whole system. */
export function parseFileNr(text: string): { allocated: number; maximum: number } | undefined {
  const [allocated, , maximum] = text.trim().split(/\s+/).map(Number)
  if (allocated === undefined || maximum === undefined || !Number.isFinite(allocated) || !Number.isFinite(maximum)) return undefined
  return { allocated, maximum }
}

/** A mount point from /proc/self/mountinfo (proc(5)): field 5, with octal escapes (\040 = space) decoded. */
export function parseMountPoints(text: string): string[] {
  const out: string[] = []
  for (const line of text.split('\n')) {
    const field = line.split(' ')[4]
    if (field === undefined || !field.startsWith('/')) continue
    out.push(field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
  }
  return out
}

/** The mount point holding `path` (an absolute, resolved path): the longest mount point that is a prefix of it. */
export function mountPointOf(path: string, mountPoints: readonly string[]): string {
  let best = '/'
  for (const m of mountPoints) {
    const inside = m === '/' || path === m || path.startsWith(m.endsWith('/') ? m : `${m}/`)
    if (inside && m.length > best.length) best = m
  }
  return best
}
