import { spawn } from 'node:child_process'
import type { Transition } from '../alerts/instance.ts'
import { formatValue } from '../alerts/template.ts'
import type { Clock } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'

/**
 * The exec hook (config `alertExec: [argv...]`): runs the program once per alert transition,
 * without a shell (argv as given, so no quoting or injection through label values), with the
 * alert in environment variables:
 *
 *   ALERT_NAME  ALERT_STATUS  ALERT_PREVIOUS_STATUS  ALERT_VALUE  ALERT_SEVERITY  ALERT_SUMMARY
 *   ALERT_FINGERPRINT  ALERT_LABELS (JSON)
 *
 * stdin, stdout and stderr are /dev/null (output discarded: nothing to buffer). A run longer than
 * timeoutMs is killed (SIGKILL, by pid). At most concurrencyMax runs at once and queueLengthMax
 * waiting; past that the oldest waiting one is dropped and counted. `run` returns at once.
 */
export interface ExecHookOptions {
  argv: readonly string[]
  timeoutMs: number
  clock: Clock
  logger: Logger
  concurrencyMax?: number
  queueLengthMax?: number
}

export interface ExecHookStats {
  started: number
  succeeded: number
  /** Exited non-zero, or could not start. */
  failed: number
  timedOut: number
  dropped: number
  running: number
  queued: number
}

const VALUE_CHARS_MAX = 4096

export function execEnv(t: Transition): Record<string, string> {
  const cut = (s: string) => s.slice(0, VALUE_CHARS_MAX)
  return {
    ALERT_NAME: t.alert.rule,
    ALERT_STATUS: t.alert.state,
    ALERT_PREVIOUS_STATUS: t.previous,
    ALERT_VALUE: formatValue(t.alert.value),
    ALERT_SEVERITY: t.alert.severity,
    ALERT_SUMMARY: cut(t.alert.annotations.summary ?? ''),
    ALERT_FINGERPRINT: t.alert.fingerprint,
    ALERT_LABELS: cut(JSON.stringify(t.alert.labels))
  }
}

export class ExecHook {
  private readonly o: Required<ExecHookOptions>
  private readonly waiting: Record<string, string>[] = []
  private readonly idleWaiters: (() => void)[] = []
  private readonly children = new Set<number>()
  readonly stats: Omit<ExecHookStats, 'running' | 'queued'> = { started: 0, succeeded: 0, failed: 0, timedOut: 0, dropped: 0 }
  private running = 0

  constructor(o: ExecHookOptions) {
    if (o.argv.length === 0) throw new RangeError('exec hook argv is empty')
    this.o = { concurrencyMax: 4, queueLengthMax: 256, ...o }
  }

  run(t: Transition): void {
    this.waiting.push(execEnv(t))
    if (this.waiting.length > this.o.queueLengthMax) {
      this.waiting.shift()
      this.stats.dropped++
      this.o.logger.warn({ dropped: this.stats.dropped }, 'exec hook queue full: oldest run dropped')
    }
    this.pump()
  }

  snapshot(): ExecHookStats {
    return { ...this.stats, running: this.running, queued: this.waiting.length }
  }

  idle(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Kills running children (by pid) and forgets the queue. */
  stop(): void {
    this.waiting.length = 0
    for (const pid of this.children) {
      try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
    }
  }

  private pump(): void {
    while (this.running < this.o.concurrencyMax && this.waiting.length > 0) this.start(this.waiting.shift()!)
    if (this.running === 0 && this.waiting.length === 0) for (const resolve of this.idleWaiters.splice(0)) resolve()
  }

  private start(env: Record<string, string>): void {
    this.running++
    this.stats.started++
    const [file, ...args] = this.o.argv
    const child = spawn(file!, args, { shell: false, stdio: 'ignore', env: { ...process.env, ...env } })
    const pid = child.pid
    if (pid !== undefined) this.children.add(pid)
    let timedOut = false
    const timer = this.o.clock.setTimeout(() => {
      timedOut = true
      if (pid !== undefined) try { process.kill(pid, 'SIGKILL') } catch { /* exited meanwhile */ }
    }, this.o.timeoutMs)
    let done = false
    const finish = (ok: boolean, why: string) => {
      if (done) return
      done = true
      timer.cancel()
      if (pid !== undefined) this.children.delete(pid)
      this.running--
      if (timedOut) this.stats.timedOut++
      else if (ok) this.stats.succeeded++
      else this.stats.failed++
      if (!ok) this.o.logger.warn({ argv: this.o.argv, why }, 'exec hook failed')
      this.pump()
    }
    child.on('error', (error) => finish(false, error.message))
    child.on('exit', (code, signal) => finish(code === 0, signal ?? `exit ${code}`))
  }
}
