import type { FaultLog } from '../fault-log.ts'
import { EV, type Trace } from '../trace.ts'
import { Health } from './health.ts'
import type { CheckOptions } from './options.ts'

/**
 * No false deaths: no node that must be treated as alive (Health.subjectAlive) is declared dead
 * by a healthy observer (Health.observerHealthy): every peer:dead event in the trace is checked.
 * A dead verdict counts whether the observer's own detector made it or it came from the
 * observers' reports. False suspects are counted the same way (peer:suspected), for information
 * only: suspecting is allowed, condemning is not.
 */
export interface FalseDeathsResult {
  name: 'no-false-deaths'
  pass: boolean
  falseDeaths: number
  falseSuspects: number
  /** Distinct subjects falsely declared dead somewhere. */
  subjects: number
  examples: { atMs: number; observer: string; subject: string; ownDetector: boolean }[]
}

export function checkFalseDeaths(trace: Trace, faults: FaultLog, options: CheckOptions): FalseDeathsResult {
  const health = new Health(faults, options)
  let falseDeaths = 0
  let falseSuspects = 0
  const subjects = new Set<number>()
  const examples: FalseDeathsResult['examples'] = []
  for (let i = 0; i < trace.length; i++) {
    const type = trace.type[i]
    if (type !== EV.dead && type !== EV.suspected) continue
    const t = trace.t[i]!
    const o = trace.node[i]!
    const p = trace.peer[i]!
    if (p < 0 || !health.observerHealthy(o, t) || !health.subjectAlive(p, t)) continue
    if (type === EV.suspected) {
      falseSuspects++
      continue
    }
    falseDeaths++
    subjects.add(p)
    if (examples.length < 10) examples.push({ atMs: t, observer: trace.nodeIds[o]!, subject: trace.nodeIds[p]!, ownDetector: trace.self[i] === 1 })
  }
  return { name: 'no-false-deaths', pass: falseDeaths === 0, falseDeaths, falseSuspects, subjects: subjects.size, examples }
}
