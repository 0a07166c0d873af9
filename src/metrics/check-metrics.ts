/**
 * The custom checks' Prometheus metrics, read from the CheckScheduler at scrape time. The
 * `check` label takes the configured check ids only (operator-declared, at most CHECKS_MAX), so
 * the series count is bounded by the config, not by anything a peer or client sends.
 *
 * - healthmon_check_status{check}: the damped status as the Nagios exit code (0 passing,
 *   1 warning, 2 critical, 3 unknown), so `max(healthmon_check_status) >= 2` alerts on any
 *   critical check;
 * - healthmon_check_flapping{check}: 1 while flap detection says the check flaps;
 * - healthmon_check_runs_total{check}, healthmon_check_timeouts_total{check};
 * - healthmon_check_output_truncated_total, healthmon_check_runs_queued_total,
 *   healthmon_check_perfdata_rejected_total{reason}.
 */
import type { Registry } from 'prom-client'
import type { CheckSchedulerStats } from '../checks/scheduler.ts'
import { PERF_REJECT_REASONS } from '../checks/perfdata.ts'
import type { CheckStatus } from '../health/types.ts'
import { counterFrom, counterOf, gaugeFrom } from './sourced.ts'

export interface CheckMetricsSource {
  checkCounts(): { id: string; status: CheckStatus; flapping: boolean; runs: number; timeouts: number }[]
  stats(): CheckSchedulerStats
}

const EXIT_CODE: Readonly<Record<CheckStatus, number>> = { passing: 0, warning: 1, critical: 2, unknown: 3 }

export function registerCheckMetrics(registry: Registry, source: CheckMetricsSource): void {
  const counts = () => source.checkCounts()
  gaugeFrom(registry, 'healthmon_check_status', 'Status of each custom check after damping, as the Nagios exit code: 0 passing, 1 warning, 2 critical, 3 unknown', ['check'],
    () => counts().map((c) => [{ check: c.id }, EXIT_CODE[c.status]] as const))
  gaugeFrom(registry, 'healthmon_check_flapping', 'Whether each custom check is flapping (Nagios flap detection over its last 21 results): 1 yes, 0 no', ['check'],
    () => counts().map((c) => [{ check: c.id }, c.flapping ? 1 : 0] as const))
  counterFrom(registry, 'healthmon_check_runs_total', 'Results recorded per custom check: runs, check-ins and TTL expiries', ['check'],
    () => counts().map((c) => [{ check: c.id }, c.runs] as const))
  counterFrom(registry, 'healthmon_check_timeouts_total', 'Custom check runs abandoned at their timeoutMs', ['check'],
    () => counts().map((c) => [{ check: c.id }, c.timeouts] as const))
  counterOf(registry, 'healthmon_check_output_truncated_total', 'Exec check runs whose output went past checkOutputBytesMax (the rest was discarded)', () => source.stats().outputTruncated)
  counterOf(registry, 'healthmon_check_runs_queued_total', 'Exec check runs that waited for a free slot (checkRunsConcurrentMax)', () => source.stats().runsQueued)
  counterFrom(registry, 'healthmon_check_perfdata_rejected_total', 'Perfdata items dropped from exec check output, by reason', ['reason'], () => {
    const rejected = source.stats().perfdataRejected
    return PERF_REJECT_REASONS.map((reason) => [{ reason }, rejected[reason]] as const)
  })
}
