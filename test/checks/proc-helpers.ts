/**
 * For tests that start real processes: which pids are still running (zombies count as gone:
 * in a container nobody may reap an orphan), and a bounded wait until some are gone.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const FIXTURES = fileURLToPath(new URL('../fixtures/checks/', import.meta.url))

/** state and process group of a pid, from /proc/<pid>/stat; undefined when it does not exist. */
function stat(pid: number): { state: string; pgrp: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
    return { state: fields[0]!, pgrp: Number(fields[2]) }
  } catch {
    return undefined
  }
}

export function isRunning(pid: number): boolean {
  const s = stat(pid)
  return s !== undefined && s.state !== 'Z' && s.state !== 'X'
}

/** Live members of a process group. */
export function groupMembers(pgid: number): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const s = stat(Number(name))
    if (s !== undefined && s.pgrp === pgid && s.state !== 'Z' && s.state !== 'X') out.push(Number(name))
  }
  return out
}

/** Polls every 10 ms until `predicate` holds; fails after `timeoutMs` (bounded in time). */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/**
 * Live process-group leaders whose command line holds `tag` as an argument: the fixture plugins
 * take a tag so a test counts only its own runs while other test files run in parallel.
 */
export function leadersTagged(tag: string): number[] {
  const out: number[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const pid = Number(name)
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')
      const s = stat(pid)
      if (args.includes(tag) && s !== undefined && s.pgrp === pid && s.state !== 'Z' && s.state !== 'X') out.push(pid)
    } catch {
      // gone meanwhile
    }
  }
  return out
}
