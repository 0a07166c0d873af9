import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { INCARNATION_MAX } from '../transport/codec.ts'

/**
 * The incarnation counter persisted in the data dir. Each start takes stored + 1, so a node that
 * restarts (after a crash or kill) always comes back above every verdict about its previous life,
 * and refutations raise it further. Written atomically (temp file + rename).
 *
 * It cannot be poisoned: only integers in [0, INCARNATION_MAX] are written (anything else is a
 * programmer error), and a stored value that is not one (a file written by an older version
 * after a hostile claim, e.g. 2^53, or garbage) reads as 0: starting low costs nothing, since
 * peers never accept a message above INCARNATION_MAX, while starting from a poisoned value would
 * make every message this node sends invalid.
 */
export const INCARNATION_FILE = 'incarnation'

export function readIncarnation(dataDir: string): number {
  try {
    const n = Number(readFileSync(join(dataDir, INCARNATION_FILE), 'utf8').trim())
    return isStorable(n) ? n : 0
  } catch {
    return 0
  }
}

export function writeIncarnation(dataDir: string, incarnation: number): void {
  if (!isStorable(incarnation)) throw new RangeError(`incarnation ${incarnation} is not an integer in [0, ${INCARNATION_MAX}]`)
  const path = join(dataDir, INCARNATION_FILE)
  writeFileSync(`${path}.tmp`, `${incarnation}\n`, { mode: 0o600 })
  renameSync(`${path}.tmp`, path)
}

/** Reads, increments and persists: the incarnation for this run. */
export function nextIncarnation(dataDir: string): number {
  const next = Math.min(readIncarnation(dataDir) + 1, INCARNATION_MAX)
  writeIncarnation(dataDir, next)
  return next
}

function isStorable(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0 && n <= INCARNATION_MAX
}
