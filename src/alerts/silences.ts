import { compileMatcher, matchesAll, type CompiledMatcher, type Matcher } from './matchers.ts'
import type { Labels } from './labels.ts'
import { HealthmonError } from '../errors.ts'

/**
 * Silences, Alertmanager's model: a set of matchers, a time window [startsAt, endsAt), who made
 * it and why. State by time: pending before startsAt, active inside the window, expired after.
 * Expiring sets endsAt to now. A silence mutes every alert all of its matchers match.
 *
 * Kept as plain JSON rows (id, matchers as data, times in epoch ms, updatedAtMs). Gossip merges
 * by last writer wins: per id, the copy with the greater updatedAtMs (ties: the later endsAt,
 * then the larger JSON, so every node picks the same copy). Bounded: silencesMax live ones, and
 * expired ones are forgotten retentionMs after they ended (Alertmanager keeps 120 h).
 */
export interface Silence {
  id: string
  matchers: Matcher[]
  startsAtMs: number
  endsAtMs: number
  createdBy: string
  comment: string
  updatedAtMs: number
}

export type SilenceState = 'pending' | 'active' | 'expired'

export const SILENCE_LIMITS = {
  matchersMax: 16,
  createdByCharsMax: 256,
  commentCharsMax: 1024,
  idCharsMax: 64
} as const

export function silenceState(s: Silence, nowMs: number): SilenceState {
  if (nowMs < s.startsAtMs) return 'pending'
  if (nowMs < s.endsAtMs) return 'active'
  return 'expired'
}

/** Checks a silence's shape and compiles its matchers; throws SILENCE_INVALID saying what is wrong. */
export function validateSilence(s: Silence): CompiledMatcher[] {
  try {
    return checkSilence(s)
  } catch (error) {
    throw new HealthmonError('SILENCE_INVALID', `invalid silence: ${(error as Error).message}`, { cause: error })
  }
}

function checkSilence(s: Silence): CompiledMatcher[] {
  if (typeof s.id !== 'string' || s.id.length === 0 || s.id.length > SILENCE_LIMITS.idCharsMax) throw new RangeError(`id must be 1-${SILENCE_LIMITS.idCharsMax} characters`)
  if (!Array.isArray(s.matchers) || s.matchers.length === 0) throw new RangeError('a silence needs at least one matcher')
  if (s.matchers.length > SILENCE_LIMITS.matchersMax) throw new RangeError(`at most ${SILENCE_LIMITS.matchersMax} matchers`)
  for (const key of ['startsAtMs', 'endsAtMs', 'updatedAtMs'] as const) if (!Number.isFinite(s[key])) throw new RangeError(`${key} must be a time in epoch milliseconds`)
  if (s.endsAtMs <= s.startsAtMs) throw new RangeError('endsAt must be after startsAt')
  if (typeof s.createdBy !== 'string' || s.createdBy.length === 0 || s.createdBy.length > SILENCE_LIMITS.createdByCharsMax) throw new RangeError(`createdBy must be 1-${SILENCE_LIMITS.createdByCharsMax} characters`)
  if (typeof s.comment !== 'string' || s.comment.length > SILENCE_LIMITS.commentCharsMax) throw new RangeError(`comment must be at most ${SILENCE_LIMITS.commentCharsMax} characters`)
  const compiled = s.matchers.map(compileMatcher)
  // Alertmanager refuses a silence that would match every alert (all matchers match "").
  if (compiled.every((m) => m.test({}))) throw new RangeError('the matchers match every alert (each matches the empty string); add one that names something')
  return compiled
}

export interface SilenceSet {
  readonly byId: Map<string, { silence: Silence; matchers: CompiledMatcher[] }>
  readonly silencesMax: number
  readonly retentionMs: number
  /** Silences refused because the set was full (from the API or from gossip). */
  refused: number
}

export function createSilenceSet(options: { silencesMax?: number; retentionMs?: number } = {}): SilenceSet {
  return { byId: new Map(), silencesMax: options.silencesMax ?? 1_000, retentionMs: options.retentionMs ?? 120 * 3_600_000, refused: 0 }
}

function newer(a: Silence, b: Silence): boolean {
  if (a.updatedAtMs !== b.updatedAtMs) return a.updatedAtMs > b.updatedAtMs
  if (a.endsAtMs !== b.endsAtMs) return a.endsAtMs > b.endsAtMs
  return JSON.stringify(a) > JSON.stringify(b)
}

export type UpsertResult = 'added' | 'updated' | 'stale' | 'full'

/**
 * Adds or replaces a silence (from the API or from a peer), last writer wins. Throws
 * SILENCE_INVALID when it is malformed. 'full': refused, counted, because silencesMax are held (expired ones are
 * collected first).
 */
export function upsertSilence(set: SilenceSet, silence: Silence, nowMs: number): UpsertResult {
  const matchers = validateSilence(silence)
  const existing = set.byId.get(silence.id)
  if (existing !== undefined) {
    if (!newer(silence, existing.silence)) return 'stale'
    set.byId.set(silence.id, { silence: structuredClone(silence), matchers })
    return 'updated'
  }
  if (set.byId.size >= set.silencesMax) gcSilences(set, nowMs)
  if (set.byId.size >= set.silencesMax) {
    set.refused++
    return 'full'
  }
  set.byId.set(silence.id, { silence: structuredClone(silence), matchers })
  return 'added'
}

/** Ends a silence now (its endsAt becomes nowMs); false when no such live silence exists. */
export function expireSilence(set: SilenceSet, id: string, nowMs: number): boolean {
  const entry = set.byId.get(id)
  if (entry === undefined || silenceState(entry.silence, nowMs) === 'expired') return false
  const silence = { ...entry.silence, endsAtMs: Math.max(nowMs, entry.silence.startsAtMs + 1), updatedAtMs: Math.max(nowMs, entry.silence.updatedAtMs + 1) }
  if (silence.startsAtMs > nowMs) silence.startsAtMs = nowMs - 1 // a pending silence expires at once
  set.byId.set(id, { silence, matchers: entry.matchers })
  return true
}

/** Forgets silences that ended more than retentionMs ago; returns how many. */
export function gcSilences(set: SilenceSet, nowMs: number): number {
  let removed = 0
  for (const [id, { silence }] of set.byId) if (silence.endsAtMs + set.retentionMs <= nowMs) { set.byId.delete(id); removed++ }
  return removed
}

/** Ids of the active silences that mute these labels (empty: not silenced). */
const NONE: readonly string[] = Object.freeze([])

export function silencedBy(set: SilenceSet, labels: Labels, nowMs: number): readonly string[] {
  if (set.byId.size === 0) return NONE // the common case: nothing to allocate per alert
  const out: string[] = []
  for (const { silence, matchers } of set.byId.values()) if (silenceState(silence, nowMs) === 'active' && matchesAll(matchers, labels)) out.push(silence.id)
  return out
}

/** The rows to persist or gossip. */
export function silenceRows(set: SilenceSet): Silence[] {
  return [...set.byId.values()].map((e) => structuredClone(e.silence))
}
