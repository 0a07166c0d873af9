import type { FaultLog } from '../fault-log.ts'
import { EV, ST, type Trace } from '../trace.ts'
import { Health } from './health.ts'
import type { CheckOptions } from './options.ts'

/**
 * No alert flapping. A *false alarm* is a view change at a healthy observer (Health.observerHealthy)
 * from alive to suspect or dead about a peer whose process was running (Health.subjectRunning:
 * not crashed, left or paused past the tolerance; link faults and slowness do not excuse it,
 * since an operator sees a live node flagged). A peer *flaps* at an observer when flapsMax false
 * alarms about it fall within any flapWindowMs. The check fails on any flapping (observer, peer).
 * False alarms are counted in total too (each one raised an alert).
 */
export interface FlappingResult {
  name: 'no-flapping'
  pass: boolean
  falseAlarms: number
  /**
   * Of falseAlarms, those about a subject cut off by a link fault the scenario injected
   * (partition side, one-way or lossy link) at the time: expected while the fault lasts, since
   * the observer really cannot hear the subject. The rest had no network excuse.
   */
  falseAlarmsDuringLinkFaults: number
  flappingPairs: number
  flapsMax: number
  windowMs: number
  examples: { observer: string; subject: string; alarms: number; firstMs: number }[]
}

export function checkFlapping(trace: Trace, faults: FaultLog, options: CheckOptions, nodes: number): FlappingResult {
  const health = new Health(faults, options)
  const prev = new Uint8Array(nodes * nodes).fill(255)
  const alarms = new Map<number, number[]>()
  let falseAlarms = 0
  let duringLinkFaults = 0
  for (let i = 0; i < trace.length; i++) {
    const type = trace.type[i]
    if (type === EV.alert) continue
    const o = trace.node[i]!
    const p = trace.peer[i]!
    if (p < 0) continue
    const cell = o * nodes + p
    const before = prev[cell]
    const to = trace.state[i]!
    prev[cell] = to
    if (type === EV.joined) continue
    if (before !== ST.alive || (to !== ST.suspect && to !== ST.dead)) continue
    const t = trace.t[i]!
    if (!health.observerHealthy(o, t) || !health.subjectRunning(p, t)) continue
    falseAlarms++
    if (faults.overlapping(p, t - options.graceMs, t, ['link']).length > 0) duringLinkFaults++
    let list = alarms.get(cell)
    if (list === undefined) alarms.set(cell, (list = []))
    list.push(t)
  }
  let flapping = 0
  const examples: FlappingResult['examples'] = []
  for (const [cell, times] of alarms) {
    for (let a = 0, b = 0; b < times.length; b++) {
      while (times[b]! - times[a]! > options.flapWindowMs) a++
      if (b - a + 1 >= options.flapsMax) {
        flapping++
        if (examples.length < 10) examples.push({ observer: trace.nodeIds[Math.floor(cell / nodes)]!, subject: trace.nodeIds[cell % nodes]!, alarms: times.length, firstMs: times[0]! })
        break
      }
    }
  }
  return { name: 'no-flapping', pass: flapping === 0, falseAlarms, falseAlarmsDuringLinkFaults: duringLinkFaults, flappingPairs: flapping, flapsMax: options.flapsMax, windowMs: options.flapWindowMs, examples }
}

/** For people reading a run: what a false alarm is, and whether these were the network's doing. */
export function describeFalseAlarms(f: Pick<FlappingResult, 'falseAlarms' | 'falseAlarmsDuringLinkFaults'>): string {
  const what = "a false alarm: a healthy observer's view turning a running peer suspect or dead"
  if (f.falseAlarms === 0) return `${what}; none`
  const expected = f.falseAlarmsDuringLinkFaults
  if (expected === f.falseAlarms) return `${what}; all of these about peers behind a link fault the scenario injected, expected while it lasts`
  if (expected === 0) return `${what}; no link fault excused any of these`
  return `${what}; ${expected} about peers behind an injected link fault (expected), ${f.falseAlarms - expected} without one`
}
