/**
 * The checkers' parameters. Each is a definition, not a tuning knob: change one only with the
 * reason written next to it in the scenario.
 */
export interface CheckOptions {
  /**
   * Detection bound: every crashed node must be dead at every healthy live node within this
   * many ms of the crash. The acceptance target is 5 s at the 99th percentile; the checker's
   * bound on the maximum is twice that.
   */
  detectionBoundMs: number
  /**
   * How long a fault's effects may linger after it ends: a node is healthy only if it had no
   * fault in the last graceMs (a resumed or restarted node still reads its backlog, a dead
   * verdict made during a partition still needs an alive heartbeat to be undone).
   */
  graceMs: number
  /**
   * A paused subject is alive (a GC stall or a SIGSTOP of a live process): declaring it dead is a
   * false death, for pauses up to this long. suspicionTimeoutMs documents that a 3 s stop must
   * survive; a longer pause may legitimately be declared dead (and must then recover).
   */
  pauseToleranceMs: number
  /** Flapping: this many false alarms about one peer at one healthy observer within flapWindowMs. */
  flapsMax: number
  flapWindowMs: number
}

export const DEFAULT_CHECKS: CheckOptions = {
  detectionBoundMs: 10_000,
  graceMs: 20_000,
  pauseToleranceMs: 3_000,
  flapsMax: 3,
  flapWindowMs: 120_000
}
