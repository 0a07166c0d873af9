import type { FaultKind, FaultLog } from '../fault-log.ts'
import type { CheckOptions } from './options.ts'

/**
 * Who was healthy when, from the fault log alone (the checkers never read the scenario).
 *
 * - An *observer* is healthy at t when it had no fault at all in [t - graceMs, t]: not crashed,
 *   left, paused, slow, nor on the small side of a link fault (partition, cut, one-way, flapping,
 *   clogged or lossy link). Its verdicts are then its own and must be right. Clock drift is not
 *   an excuse: the protocol must tolerate it.
 * - A *subject* must be treated as alive at t (may not be declared dead) when, in
 *   [t - graceMs, t], it was never crashed or left, never on the small side of a link fault, and
 *   never paused for longer than pauseToleranceMs. Slow (CPU-starved) nodes and short pauses are
 *   alive: a live process that is late is not dead.
 */
export const OBSERVER_FAULTS: readonly FaultKind[] = ['crash', 'host-crash', 'left', 'pause', 'slow', 'link']
export const GONE: readonly FaultKind[] = ['crash', 'host-crash', 'left']

export class Health {
  private readonly faults: FaultLog
  private readonly options: CheckOptions

  constructor(faults: FaultLog, options: CheckOptions) {
    this.faults = faults
    this.options = options
  }

  /** No fault of any kind (drift aside) in [fromMs - graceMs, toMs]. */
  observerHealthy(node: number, fromMs: number, toMs = fromMs): boolean {
    for (const f of this.faults.of(node)) {
      if (f.fromMs <= toMs && f.toMs >= fromMs - this.options.graceMs && OBSERVER_FAULTS.includes(f.kind)) return false
    }
    return true
  }

  /** The subject must not be declared dead at t (see above). */
  subjectAlive(node: number, t: number): boolean {
    const from = t - this.options.graceMs
    for (const f of this.faults.of(node)) {
      if (f.fromMs > t || f.toMs < from) continue
      if (GONE.includes(f.kind) || f.kind === 'link') return false
      if (f.kind === 'pause' && f.toMs - f.fromMs > this.options.pauseToleranceMs) return false
    }
    return true
  }

  /** The subject's process ran throughout [t - graceMs, t] (not crashed, left, or paused past the tolerance). */
  subjectRunning(node: number, t: number): boolean {
    const from = t - this.options.graceMs
    for (const f of this.faults.of(node)) {
      if (f.fromMs > t || f.toMs < from) continue
      if (GONE.includes(f.kind)) return false
      if (f.kind === 'pause' && f.toMs - f.fromMs > this.options.pauseToleranceMs) return false
    }
    return true
  }
}
