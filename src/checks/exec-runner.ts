/**
 * Runs one exec check: a Nagios / Monitoring Plugins program, the way Nagios and NRPE do, so
 * Debian's plugins work unchanged (guidelines: https://www.monitoring-plugins.org/doc/guidelines.html).
 *
 * - no shell: argv[0] with argv[1..] as a list (execFile-style spawn), so nothing in the config
 *   is ever shell-interpreted;
 * - a clean environment: PATH=/usr/sbin:/usr/bin:/sbin:/bin and LANG=C, nothing else inherited
 *   (no agent secrets leak into plugins, and numbers print in the C locale the perfdata format
 *   needs); working directory /;
 * - its own process group (detached), so a timeout kills the plugin and everything it started
 *   (SIGKILL to the group, as Nagios Core does); when the plugin exits, whatever it left behind
 *   in its group is killed too, so no check leaves processes running. A child that escapes the
 *   group (setsid) is beyond reach: it is not waited for;
 * - stdout and stderr are read to the end but only the first `outputBytesMax` bytes of each are
 *   kept, so a flooding plugin never blocks on a full pipe and never grows our memory;
 * - exit 0/1/2/3 is passing/warning/critical/unknown; any other code, death by a signal, a
 *   timeout or a failure to start is unknown, with an output saying which.
 *
 * This is a shell (it spawns processes and arms a timer on the injected Clock); the parsing it
 * applies is pure (plugin-output.ts, perfdata.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import type { Readable } from 'node:stream'
import type { CheckStatus } from '../health/types.ts'
import type { Clock } from '../runtime/clock.ts'
import type { CheckResult } from './check-state.ts'
import { emptyRejects, type PerfItem, type PerfRejectReason } from './perfdata.ts'
import { parsePluginOutput } from './plugin-output.ts'

/** The whole environment a plugin gets. */
export const PLUGIN_ENV: Readonly<Record<string, string>> = Object.freeze({ PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' })

const STATUS_BY_EXIT: readonly CheckStatus[] = ['passing', 'warning', 'critical', 'unknown']

export interface ExecOptions {
  argv: readonly string[]
  timeoutMs: number
  /** Bytes of stdout, and separately of stderr, kept. */
  outputBytesMax: number
  clock: Clock
}

export interface ExecOutcome {
  result: CheckResult
  perfdata: PerfItem[]
  rejected: Record<PerfRejectReason, number>
  timedOut: boolean
  /** Output beyond outputBytesMax was discarded. */
  truncated: boolean
  exitCode: number | null
  signal: NodeJS.Signals | null
  durationMs: number
}

export interface ExecRun {
  /** The plugin's pid (and process group id); undefined when it could not be started. */
  readonly pid: number | undefined
  readonly done: Promise<ExecOutcome>
  /** Kills the process group and settles as unknown ("stopped"). Idempotent. */
  stop(): void
}

/** Keeps the first `max` bytes of a stream and counts the rest. */
class CappedCapture {
  private readonly chunks: Buffer[] = []
  private size = 0
  truncated = false
  private readonly max: number
  constructor(max: number) {
    this.max = max
  }

  push(chunk: Buffer): void {
    const room = this.max - this.size
    if (room <= 0) {
      this.truncated = true
      return
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk
    if (kept.length < chunk.length) this.truncated = true
    this.chunks.push(kept)
    this.size += kept.length
  }

  /** The kept text; when cut, back to the last whitespace so no perfdata item is half there. */
  text(): string {
    const text = Buffer.concat(this.chunks).toString('utf8')
    if (!this.truncated) return text
    const cut = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\n'), text.lastIndexOf('\t'))
    return cut > 0 ? text.slice(0, cut) : text
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return
  try {
    process.kill(-pid, 'SIGKILL')
  } catch {
    // ESRCH: the group is already gone.
  }
}

function firstLine(text: string): string {
  return text.replace(/\r\n?/g, '\n').split('\n').find((line) => line.trim() !== '')?.trim() ?? ''
}

export function startExec(options: ExecOptions): ExecRun {
  const { argv, clock } = options
  const startedMs = clock.now()
  const stdout = new CappedCapture(options.outputBytesMax)
  const stderr = new CappedCapture(options.outputBytesMax)
  const { promise, resolve } = Promise.withResolvers<ExecOutcome>()
  let settled = false
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined
  let timedOut = false

  let child: ChildProcess
  try {
    child = spawn(argv[0]!, argv.slice(1), { detached: true, env: { ...PLUGIN_ENV }, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true })
  } catch (error) {
    // Most spawn failures arrive as an 'error' event; the rest (ENOMEM, E2BIG...) are thrown.
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    const result: CheckResult = { status: 'unknown', output: `cannot run ${argv[0]}: ${code}`, longOutput: '' }
    const done = Promise.resolve<ExecOutcome>({ result, perfdata: [], rejected: emptyRejects(), timedOut: false, truncated: false, exitCode: null, signal: null, durationMs: 0 })
    return { pid: undefined, done, stop: () => {} }
  }
  const pid = child.pid
  const streams: Readable[] = [child.stdout!, child.stderr!]
  child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk))
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk))

  const settle = (status: CheckStatus | undefined, note: string | undefined): void => {
    if (settled) return
    settled = true
    timer.cancel()
    for (const stream of streams) stream.destroy()
    const parsed = parsePluginOutput(stdout.text())
    const summary = parsed.summary !== '' ? parsed.summary : firstLine(stderr.text())
    const fromExit = exited === undefined ? undefined : statusOfExit(exited.code, exited.signal)
    const finalStatus = status ?? fromExit?.status ?? 'unknown'
    const why = note ?? fromExit?.note
    resolve({
      result: { status: finalStatus, output: why === undefined ? (summary !== '' ? summary : '(no output)') : summary !== '' ? `${why}: ${summary}` : why, longOutput: parsed.longOutput },
      perfdata: parsed.perfdata,
      rejected: parsed.rejected,
      timedOut,
      truncated: stdout.truncated || stderr.truncated,
      exitCode: exited?.code ?? null,
      signal: exited?.signal ?? null,
      durationMs: clock.now() - startedMs
    })
  }

  const timer = clock.setTimeout(() => {
    if (exited !== undefined) {
      // It exited, but something that escaped its group still holds its output pipes open.
      settle(undefined, undefined)
      return
    }
    timedOut = true
    killGroup(pid)
    settle('unknown', `timed out after ${options.timeoutMs} ms (process group killed)`)
  }, options.timeoutMs)

  child.on('error', (error: NodeJS.ErrnoException) => {
    // Spawn failures (ENOENT, EACCES) arrive here with no pid; a failed kill() too, harmlessly.
    if (pid !== undefined) return
    settle('unknown', `cannot run ${argv[0]}: ${error.code ?? error.message}${error.code === 'ENOENT' ? ' (no such file)' : ''}`)
  })
  child.on('exit', (code, signal) => {
    exited = { code, signal }
    // Whatever the plugin left running in its group goes with it.
    killGroup(pid)
  })
  child.on('close', () => settle(undefined, undefined))

  return {
    pid,
    done: promise,
    stop() {
      if (settled) return
      killGroup(pid)
      settle('unknown', 'stopped: the agent is shutting down')
    }
  }
}

/** The plugin convention: 0-3, anything else unknown with the reason. */
export function statusOfExit(code: number | null, signal: NodeJS.Signals | null): { status: CheckStatus; note: string | undefined } {
  if (signal !== null) return { status: 'unknown', note: `killed by signal ${signal}` }
  if (code !== null && code >= 0 && code <= 3) return { status: STATUS_BY_EXIT[code]!, note: undefined }
  return { status: 'unknown', note: `exit code ${code ?? '?'} is outside the plugin convention (0-3)` }
}
