import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * The incarnation counter persisted in the data dir. Each start takes stored + 1, so a node that
 * restarts (after a crash or kill) always comes back above every verdict about its previous life,
 * and refutations raise it further. Written atomically (temp file + rename).
 */
export const INCARNATION_FILE = 'incarnation'

export function readIncarnation(dataDir: string): number {
  try {
    const n = Number(readFileSync(join(dataDir, INCARNATION_FILE), 'utf8').trim())
    return Number.isSafeInteger(n) && n >= 0 ? n : 0
  } catch {
    return 0
  }
}

export function writeIncarnation(dataDir: string, incarnation: number): void {
  const path = join(dataDir, INCARNATION_FILE)
  writeFileSync(`${path}.tmp`, `${incarnation}\n`, { mode: 0o600 })
  renameSync(`${path}.tmp`, path)
}

/** Reads, increments and persists: the incarnation for this run. */
export function nextIncarnation(dataDir: string): number {
  const next = readIncarnation(dataDir) + 1
  writeIncarnation(dataDir, next)
  return next
}
