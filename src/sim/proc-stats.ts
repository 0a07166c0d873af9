import { readFileSync } from 'node:fs'

/**
 * CPU time and resident memory of a process, read from Linux's /proc (what top and ps read).
 * CPU comes in clock ticks of 1/100 s (USER_HZ, fixed at 100 for the /proc ABI on Linux).
 */
const USER_HZ = 100

export interface ProcSample {
  cpuMs: number
  rssBytes: number
}

export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const utime = Number(fields[11])
    const stime = Number(fields[12])
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
    return { cpuMs: ((utime + stime) * 1000) / USER_HZ, rssBytes: rssKb * 1024 }
  } catch {
    return undefined
  }
}

/** CPU use between two samples as a percentage of one core. */
export function cpuPercent(a: ProcSample, b: ProcSample, elapsedMs: number): number {
  return elapsedMs > 0 ? (100 * (b.cpuMs - a.cpuMs)) / elapsedMs : 0
}
