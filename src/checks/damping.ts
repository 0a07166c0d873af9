/**
 * Damping, as Consul's check status handler does it (agent/checks/check.go, StatusHandler):
 * a result only changes the reported status once enough consecutive results agree.
 *
 * - passing and warning results count as successes: they reset the failure count and are
 *   reported once `successesBeforePassing` of them come in a row;
 * - critical and unknown results count as failures: they reset the success count and are
 *   reported once `failuresBeforeCritical` of them come in a row;
 * - until then the previous status stands. 0 and 1 both mean "at once".
 *
 * Pure: counters and a result in, counters and the status to report out.
 */
import type { CheckStatus } from '../health/types.ts'

export interface DampingPolicy {
  failuresBeforeCritical: number
  successesBeforePassing: number
}

export interface DampingCounters {
  /** Consecutive passing/warning results. */
  successes: number
  /** Consecutive critical/unknown results. */
  failures: number
}

export const NO_STREAK: DampingCounters = { successes: 0, failures: 0 }

export function isSuccess(status: CheckStatus): boolean {
  return status === 'passing' || status === 'warning'
}

export function damp(counters: DampingCounters, current: CheckStatus, result: CheckStatus, policy: DampingPolicy): { counters: DampingCounters; status: CheckStatus } {
  if (isSuccess(result)) {
    const next = { successes: counters.successes + 1, failures: 0 }
    return { counters: next, status: next.successes >= policy.successesBeforePassing ? result : current }
  }
  const next = { successes: 0, failures: counters.failures + 1 }
  return { counters: next, status: next.failures >= policy.failuresBeforeCritical ? result : current }
}
