import type { MemberState, VerdictState } from '../transport/codec.ts'
import type { Report } from './reports.ts'

/**
 * Combines observers' verdicts on a subject this node does not observe itself, without
 * consensus (DESIGN.md §2 "Consensus-free views"):
 * - only reports for the subject's current incarnation count (newest incarnation wins; a
 *   restarted or refuting subject makes older verdicts moot);
 * - an observer that has reported nothing for that incarnation is presumed to hold the default
 *   (`alive`, or what a digest claimed before any report arrived);
 * - dead when most of the subject's observers say dead; suspect when any says suspect or dead;
 *   alive otherwise. A left subject is left, whatever the observers say.
 * `agree` counts the observers whose verdict matches the combined state.
 */
export interface Aggregate {
  state: MemberState
  agree: number
  total: number
}

export function aggregateVerdicts(input: {
  incarnation: number
  left: boolean
  presumed: MemberState
  observers: readonly string[]
  reports: ReadonlyMap<string, Report>
}): Aggregate {
  const verdicts: MemberState[] = []
  const counted = new Set<string>()
  const verdictOf = (observer: string): MemberState => {
    const r = input.reports.get(observer)
    return r !== undefined && r.subjectIncarnation >= input.incarnation ? r.state : input.presumed
  }
  for (const o of input.observers) {
    counted.add(o)
    verdicts.push(verdictOf(o))
  }
  // Reports from nodes outside this node's idea of the observer set still count: membership views
  // differ slightly between nodes while churn settles.
  for (const [o, r] of input.reports) {
    if (!counted.has(o) && r.subjectIncarnation >= input.incarnation) verdicts.push(r.state)
  }
  const total = verdicts.length
  if (input.left) return { state: 'left', agree: total, total }
  if (total === 0) return { state: input.presumed, agree: 0, total: 0 }
  const count = (s: VerdictState | 'left'): number => verdicts.filter((v) => v === s).length
  const dead = count('dead')
  let state: MemberState
  if (dead * 2 > total) state = 'dead'
  else if (dead > 0 || count('suspect') > 0) state = 'suspect'
  else if (input.presumed === 'left') state = 'left'
  else state = 'alive'
  // Observers saying dead also disagree with "alive", so they count towards a suspect verdict.
  const agree = state === 'suspect' ? count('suspect') + dead : count(state)
  return { state, agree, total }
}
