/**
 * Time, injected. Everything outside src/runtime/ reads time and schedules work through a Clock,
 * so the same code runs on real time in the agent and on virtual time in tests and the simulator.
 */

/** A scheduled callback that can be cancelled; cancelling twice or after it ran is a no-op. */
export interface Timer {
  cancel(): void
  /**
   * Where a clock offers it: moves a pending one-shot timer to `delayMs` from now, as cancelling
   * it and setting a new one with the same callback would, without the garbage. False when the
   * timer already ran or was cancelled: set a new one then.
   */
  reschedule?(delayMs: number): boolean
}

export interface Clock {
  /**
   * Milliseconds since the Unix epoch, monotonic: never goes backwards while the process runs,
   * so intervals measured with it are immune to wall-clock steps (NTP, an operator's `date -s`).
   */
  now(): number
  /** Runs `fn` once after `delayMs` (clamped to >= 0). */
  setTimeout(fn: () => void, delayMs: number): Timer
  /** Runs `fn` every `periodMs` until cancelled. */
  setInterval(fn: () => void, periodMs: number): Timer
}

/**
 * The real clock: performance.now() anchored at the process's time origin, which is monotonic
 * and epoch-based at once. Timers are unref'd so a forgotten timer never keeps a process alive;
 * the agent's lifetime is held by its sockets and its signal handlers instead.
 */
export function systemClock(): Clock {
  const origin = performance.timeOrigin
  return {
    now: () => origin + performance.now(),
    setTimeout(fn, delayMs) {
      const handle = setTimeout(fn, Math.max(0, delayMs))
      handle.unref()
      return { cancel: () => clearTimeout(handle) }
    },
    setInterval(fn, periodMs) {
      const handle = setInterval(fn, Math.max(1, periodMs))
      handle.unref()
      return { cancel: () => clearInterval(handle) }
    }
  }
}

/** Resolves after `delayMs` of the given clock's time. */
export function sleep(clock: Clock, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, delayMs)
  })
}
