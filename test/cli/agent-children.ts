/**
 * Child `healthmon agent` processes for the tests that drive the real program: a clean
 * environment (no HEALTHMON_* of the caller's), runs to exit with a deadline, and every pid
 * started remembered so the test file's `after` ends each one by its pid.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))

export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env }
  for (const key of Object.keys(env)) if (key.startsWith('HEALTHMON_')) delete env[key]
  return env
}

export interface AgentRun {
  code: number | null
  stdout: string
  stderr: string
}

export class AgentChildren {
  private readonly pids: number[] = []

  /** Remembers a child started elsewhere, to be ended by killAll(). */
  track(pid: number | undefined): void {
    if (pid !== undefined) this.pids.push(pid)
  }

  /** Runs `healthmon agent ...args` to its exit (SIGKILLed after 20 s). */
  run(args: string[]): Promise<AgentRun> {
    return new Promise((resolve) => {
      const child = execFile(process.execPath, [MAIN, 'agent', ...args], { env: cleanEnv(), timeout: 20_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr })
      })
      this.track(child.pid)
    })
  }

  /** SIGKILLs every remembered pid still running. */
  killAll(): void {
    for (const pid of this.pids) {
      try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
    }
  }
}
