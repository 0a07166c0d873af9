import { ST, UNKNOWN, VIEW_STATES, type Trace } from '../trace.ts'

/**
 * Convergence after healing: at the end of the run, every running node's view shows every other
 * running node alive, every crashed node dead and every node that left `left`. The time to
 * converge is from the last fault change (the last heal, crash, restart, ...) to the last view
 * change that moved a pair to its final, expected state; the check fails if any pair is wrong
 * at the end (the healing phase was too short, or the views never agreed).
 */
export type FinalStatus = 'running' | 'crashed' | 'left'

export interface ConvergenceResult {
  name: 'convergence'
  pass: boolean
  referenceMs: number
  /** Ms from referenceMs until the last pair reached its final state; null when not converged. */
  timeToConvergeMs: number | null
  wrongPairs: number
  examples: { observer: string; subject: string; sees: string; expected: string }[]
}

export function checkConvergence(trace: Trace, status: readonly FinalStatus[], referenceMs: number): ConvergenceResult {
  const n = status.length
  const expected = status.map((s) => (s === 'running' ? ST.alive : s === 'left' ? ST.left : ST.dead))
  let wrong = 0
  const examples: ConvergenceResult['examples'] = []
  for (let o = 0; o < n; o++) {
    if (status[o] !== 'running') continue
    for (let p = 0; p < n; p++) {
      if (p === o) continue
      const sees = trace.views[o * n + p]!
      if (sees !== expected[p]) {
        wrong++
        if (examples.length < 10) examples.push({ observer: trace.nodeIds[o]!, subject: trace.nodeIds[p]!, sees: sees === UNKNOWN ? 'unknown' : VIEW_STATES[sees]!, expected: VIEW_STATES[expected[p]!]! })
      }
    }
  }
  let last = referenceMs
  if (wrong === 0) {
    for (let i = 0; i < trace.length; i++) {
      const t = trace.t[i]!
      if (t <= last || trace.type[i] === 6) continue
      const o = trace.node[i]!
      if (status[o] === 'running' && trace.peer[i]! >= 0) last = t
    }
  }
  return { name: 'convergence', pass: wrong === 0, referenceMs, timeToConvergeMs: wrong === 0 ? last - referenceMs : null, wrongPairs: wrong, examples }
}
