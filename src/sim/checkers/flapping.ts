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
  return { name: 'no-flapping', pass: flapping === 0, falseAlarms, flappingPairs: flapping, flapsMax: options.flapsMax, windowMs: options.flapWindowMs, examples }
}
