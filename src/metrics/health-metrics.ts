/**
 * Node health on /metrics: the latest resource reading under node_exporter's names where one
 * exists (node_cpu_seconds_total{mode}, node_load1, node_memory_MemAvailable_bytes,
 * node_filesystem_avail_bytes{mountpoint}, node_pressure_cpu_waiting_seconds_total...), the few
 * figures node_exporter lacks as healthmon_*, and the health components' own counters (samples
 * rejected by validation, collector errors, history flushes). Samples prom-client's default set
 * already exports (process_open_fds, nodejs_heap_*, nodejs_eventloop_lag_*) are not repeated.
 * Label values are bounded: CPU modes, watched mount points, fixed reason and collector sets.
 */
import type { Registry } from 'prom-client'
import { COLLECTOR_NAMES, type CollectorName } from '../health/collectors.ts'
import type { Sample } from '../health/types.ts'
import { REJECT_REASONS, type RejectReason } from '../health/validate.ts'
import { counterFrom, counterOf, gaugeFrom, gaugeOf, type Labels } from './sourced.ts'

export interface HealthSource {
  samples(): readonly Sample[]
  readonly validator: { readonly rejected: Readonly<Record<RejectReason, number>>; readonly accepted: number }
  readonly collectors: { readonly errors: Readonly<Record<CollectorName, number>> }
  readonly cost: { readonly samples: number; readonly lastMs: number }
  readonly history?: {
    readonly stats: { readonly flushes: number; readonly flushErrors: number; readonly seriesRefused: number; readonly pointsDropped: number; readonly lastFlushMs: number }
    readonly seriesCount: number
  }
}

type Kind = 'gauge' | 'counter'

/** name -> [kind, label names, help]. */
export const EXPORTED_SAMPLES: Readonly<Record<string, readonly [Kind, readonly string[], string]>> = {
  node_cpu_seconds_total: ['counter', ['mode'], 'Seconds the CPUs spent in each mode, summed over all CPUs (/proc/stat)'],
  healthmon_cpu_mode_percent: ['gauge', ['mode'], 'CPU time by mode over the last sample interval, percent of all CPUs'],
  healthmon_cpu_busy_percent: ['gauge', [], 'CPU busy (not idle or iowait) over the last sample interval, percent of all CPUs'],
  node_load1: ['gauge', [], '1m load average'],
  node_load5: ['gauge', [], '5m load average'],
  node_load15: ['gauge', [], '15m load average'],
  healthmon_load1_per_core: ['gauge', [], '1m load average divided by the CPUs online'],
  node_memory_MemTotal_bytes: ['gauge', [], 'Memory information field MemTotal_bytes'],
  node_memory_MemAvailable_bytes: ['gauge', [], 'Memory information field MemAvailable_bytes'],
  node_memory_SwapTotal_bytes: ['gauge', [], 'Memory information field SwapTotal_bytes'],
  node_memory_SwapFree_bytes: ['gauge', [], 'Memory information field SwapFree_bytes'],
  healthmon_memory_used_percent: ['gauge', [], 'Memory used (MemTotal - MemAvailable), percent of MemTotal'],
  healthmon_swap_used_percent: ['gauge', [], 'Swap used, percent of SwapTotal (absent without swap)'],
  node_filesystem_size_bytes: ['gauge', ['mountpoint'], 'Filesystem size in bytes'],
  node_filesystem_avail_bytes: ['gauge', ['mountpoint'], 'Filesystem space available to non-root users in bytes'],
  node_filesystem_free_bytes: ['gauge', ['mountpoint'], 'Filesystem free space in bytes'],
  node_filesystem_files: ['gauge', ['mountpoint'], 'Filesystem total file nodes'],
  node_filesystem_files_free: ['gauge', ['mountpoint'], 'Filesystem total free file nodes'],
  healthmon_filesystem_used_percent: ['gauge', ['mountpoint'], 'Filesystem space used (100 - avail / size), percent'],
  node_filefd_allocated: ['gauge', [], 'File descriptor statistics: allocated'],
  node_filefd_maximum: ['gauge', [], 'File descriptor statistics: maximum'],
  node_pressure_cpu_waiting_seconds_total: ['counter', [], 'Total time in seconds that processes have waited for CPU time'],
  node_pressure_memory_waiting_seconds_total: ['counter', [], 'Total time in seconds that processes have waited for memory'],
  node_pressure_memory_stalled_seconds_total: ['counter', [], 'Total time in seconds no process could make progress due to memory congestion'],
  node_pressure_io_waiting_seconds_total: ['counter', [], 'Total time in seconds that processes have waited due to IO congestion'],
  node_pressure_io_stalled_seconds_total: ['counter', [], 'Total time in seconds no process could make progress due to IO congestion'],
  nodejs_eventloop_utilization_ratio: ['gauge', [], 'Share of time the agent\'s event loop was busy over the last sample interval (0-1)']
}

export function registerHealthMetrics(r: Registry, source: () => HealthSource | undefined): void {
  for (const [name, [kind, labelNames, help]] of Object.entries(EXPORTED_SAMPLES)) {
    const read = (): [Labels, number][] => (source()?.samples() ?? []).filter((s) => s.name === name).map((s) => [{ ...s.labels }, s.value])
    if (kind === 'counter') counterFrom(r, name, help, labelNames, read)
    else gaugeFrom(r, name, help, labelNames, read)
  }
  counterFrom(r, 'healthmon_samples_rejected_total', 'Metric samples dropped by validation (collectors, check perfdata, peers\' heartbeats), by reason', ['reason'], () =>
    REJECT_REASONS.map((reason) => [{ reason }, source()?.validator.rejected[reason] ?? 0] as const))
  counterOf(r, 'healthmon_samples_accepted_total', 'Metric samples admitted by validation', () => source()?.validator.accepted ?? 0)
  counterFrom(r, 'healthmon_collector_errors_total', 'Resource collector reads that failed (a missing file is not an error: the kernel lacks it)', ['collector'], () =>
    COLLECTOR_NAMES.map((collector) => [{ collector }, source()?.collectors.errors[collector] ?? 0] as const))
  gaugeOf(r, 'healthmon_resource_sample_duration_seconds', 'Time the last resource reading took (all collectors together)', () => (source()?.cost.lastMs ?? 0) / 1000)
  counterFrom(r, 'healthmon_history_flushes_total', 'Metric history flushes to SQLite, by result', ['result'], () => {
    const h = source()?.history?.stats
    return [[{ result: 'ok' }, h?.flushes ?? 0], [{ result: 'error' }, h?.flushErrors ?? 0]]
  })
  gaugeOf(r, 'healthmon_history_flush_duration_seconds', 'Time the last metric history flush took', () => (source()?.history?.stats.lastFlushMs ?? 0) / 1000)
  gaugeOf(r, 'healthmon_history_series', 'Metric series kept in history', () => source()?.history?.seriesCount ?? 0)
  counterOf(r, 'healthmon_history_series_refused_total', 'New metric series refused because historySeriesMax was reached', () => source()?.history?.stats.seriesRefused ?? 0)
  counterOf(r, 'healthmon_history_points_dropped_total', 'History points dropped because too many were waiting for a flush', () => source()?.history?.stats.pointsDropped ?? 0)
}
