import type { MemberState, VerdictState } from '../transport/codec.ts'
import type { Report } from './reports.ts'

/**
 * Combines observers' verdicts on a subject this node does not observe itself, without
 * consensus (DESIGN.md §2 "Consensus-free views"):
 * - only reports for the subject's current incarnation count (newest incarnation wins; a
 *   restarted or refuting subject makes older verdicts moot);
 * - an observer that has reported nothing for that incarnation is presumed to hold the default
 *   (`alive`, or what a digest claimed before any report arrived);
 * - dead when most of the subject's observers say dead; suspect when at least two say suspect or
 *   dead (one, when the subject has a single observer): one observer's suspicion is usually its
 *   own lost packets, and echoing it at every node would turn each into a cluster-wide alarm;
 *   alive otherwise. A left subject is left, whatever the observers say;
 * - a suspect report, and a dead one held by a minority, expire after suspectReportTtlMs: suspicion is transient (it ends in dead
 *   or alive within the suspicion timeout), and an observer that stopped observing the subject
 *   (the rings moved) would otherwise leave it suspect at every node for good.
 * `agree` counts the observers whose verdict matches the combined state.
 */
export interface Aggregate {
  state: MemberState
  agree: number
  total: number
}

/** Observers that must suspect a subject before nodes that do not observe it call it suspect. */
export const SUSPECT_QUORUM = 2

export function aggregateVerdicts(input: {
  incarnation: number
  left: boolean
  presumed: MemberState
  observers: readonly string[]
  reports: ReadonlyMap<string, Report>
  nowMs: number
  suspectReportTtlMs: number
}): Aggregate {
  const verdicts: MemberState[] = []
  const counted = new Set<string>()
  let freshDead = 0
  const add = (r: Report | undefined): void => {
    verdicts.push(observerVerdict(r, input))
    if (r !== undefined && r.state === 'dead' && isCurrent(r, input) && isFresh(r, input)) freshDead++
  }
  for (const o of input.observers) {
    counted.add(o)
    add(input.reports.get(o))
  }
  // Reports from nodes outside this node's current observer set still count: the trust rules
  // (membership/trust.ts) only recorded them while their sender was an observer here, and the
  // rings may have moved since.
  for (const [o, r] of input.reports) {
    if (!counted.has(o) && isCurrent(r, input)) add(r)
  }
  const total = verdicts.length
  if (input.left) return { state: 'left', agree: total, total }
  if (total === 0) return { state: input.presumed, agree: 0, total: 0 }
  const count = (s: VerdictState | 'left'): number => verdicts.filter((v) => v === s).length
  const dead = count('dead')
  let state: MemberState
  // A minority's dead verdict makes the subject suspect only while it is fresh: an observer cut
  // off from its subject (a lossy link) must not leave it suspect everywhere for good.
  if (dead * 2 > total) state = 'dead'
  else if (freshDead + count('suspect') >= Math.min(SUSPECT_QUORUM, total)) state = 'suspect'
  else if (input.presumed === 'left') state = 'left'
  else state = 'alive'
  // Observers saying dead also disagree with "alive", so they count towards a suspect verdict.
  const agree = state === 'suspect' ? count('suspect') + freshDead : count(state)
  return { state, agree, total }
}

/** What one observer is taken to say: its report while current, else the presumed state. */
export function observerVerdict(r: Report | undefined, facts: { incarnation: number; presumed: MemberState; nowMs: number; suspectReportTtlMs: number }): MemberState {
  return r !== undefined && isCurrent(r, facts) ? r.state : facts.presumed
}

/** Whether a report still counts: about the current incarnation, and not an expired suspicion. */
export function isCurrent(r: Report, facts: { incarnation: number; nowMs: number; suspectReportTtlMs: number }): boolean {
  if (r.subjectIncarnation < facts.incarnation) return false
  return r.state !== 'suspect' || isFresh(r, facts)
}

function isFresh(r: Report, facts: { nowMs: number; suspectReportTtlMs: number }): boolean {
  return facts.nowMs - r.atMs <= facts.suspectReportTtlMs
}
