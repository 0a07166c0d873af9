import type { Random } from '../runtime/random.ts'

/**
 * Retry delays: exponential backoff with full jitter (Marc Brooker, "Exponential Backoff And
 * Jitter", AWS Architecture Blog, 2015): attempt n waits a uniform random time in
 * [0, min(maxMs, baseMs x 2^n)). Jitter spreads the retries of many agents that failed at the
 * same moment (one receiver down for all of them), so they do not come back in lockstep.
 */
export interface BackoffOptions {
  baseMs: number
  maxMs: number
}

export const BACKOFF_DEFAULTS: BackoffOptions = { baseMs: 500, maxMs: 60_000 }

export function backoffDelayMs(attempt: number, options: BackoffOptions, random: Random): number {
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** Math.min(attempt, 30))
  return Math.floor(random.next() * cap)
}
