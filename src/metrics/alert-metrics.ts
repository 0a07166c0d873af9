/**
 * Alerting's Prometheus metrics, read from the AlertRuntime at scrape time:
 *
 * - ALERTS{alertname,alertstate,severity}: 1 per pending or firing alert label set (Prometheus'
 *   own ALERTS series; here the count of instances, so `sum by (alertname) (ALERTS)` counts them);
 *   alertname values are rule names, bounded by the config;
 * - healthmon_alert_notifications_total, healthmon_alert_transitions_total;
 * - healthmon_alert_deliveries_total{receiver_kind,outcome}: webhook and Alertmanager deliveries by
 *   outcome (delivered, dropped, failed, rejected, retries, timeouts); the exec hook's runs;
 * - drops: samples, alert instances past alertActiveMax, invalid gossiped silences, write errors,
 *   evaluation steps that threw.
 */
import type { Registry } from 'prom-client'
import type { AlertRuntime } from '../daemon-alerts.ts'
import type { DeliveryStats } from '../notify/delivery-queue.ts'
import { counterFrom, counterOf, gaugeFrom } from './sourced.ts'

const OUTCOMES = ['delivered', 'dropped', 'failed', 'rejected', 'retries', 'timeouts'] as const

function sum(stats: readonly DeliveryStats[]): Record<(typeof OUTCOMES)[number], number> {
  const out = { delivered: 0, dropped: 0, failed: 0, rejected: 0, retries: 0, timeouts: 0 }
  for (const s of stats) for (const k of OUTCOMES) out[k] += s[k]
  return out
}

export function registerAlertMetrics(registry: Registry, alerts: () => AlertRuntime | undefined): void {
  gaugeFrom(registry, 'ALERTS', 'Pending and firing alerts of this agent\'s rules, per alert name, state and severity', ['alertname', 'alertstate', 'severity'],
    () => (alerts()?.alertCounts() ?? []).map((c) => [{ alertname: c.alertname, alertstate: c.alertstate, severity: c.severity }, c.count] as const))
  counterOf(registry, 'healthmon_alert_notifications_total', 'Grouped alert notifications this agent sent (each goes to every receiver)', () => alerts()?.counters.notifications ?? 0)
  counterOf(registry, 'healthmon_alert_transitions_total', 'Alert state transitions (pending, firing, flapping, escalated, resolved)', () => alerts()?.counters.transitions ?? 0)
  counterFrom(registry, 'healthmon_alert_deliveries_total', 'Deliveries to receivers by kind and outcome', ['receiver_kind', 'outcome'], () => {
    const a = alerts()
    if (a === undefined) return []
    const webhook = sum(a.webhooks.map((w) => w.stats()))
    const am = sum(a.pusher?.stats() ?? [])
    return [
      ...OUTCOMES.map((o) => [{ receiver_kind: 'webhook', outcome: o }, webhook[o]] as const),
      ...OUTCOMES.map((o) => [{ receiver_kind: 'alertmanager', outcome: o }, am[o]] as const)
    ]
  })
  counterFrom(registry, 'healthmon_alert_exec_runs_total', 'Exec hook runs by outcome', ['outcome'], () => {
    const s = alerts()?.exec?.stats
    if (s === undefined) return []
    return [[{ outcome: 'succeeded' }, s.succeeded], [{ outcome: 'failed' }, s.failed], [{ outcome: 'timed_out' }, s.timedOut], [{ outcome: 'dropped' }, s.dropped]] as const
  })
  counterFrom(registry, 'healthmon_alert_dropped_total', 'Alerting inputs dropped, by reason', ['reason'], () => {
    const a = alerts()
    if (a === undefined) return []
    return [
      [{ reason: 'samples' }, a.counters.samplesDropped],
      [{ reason: 'alerts_max' }, a.evaluator.counters.alertsDropped],
      [{ reason: 'series_max' }, a.evaluator.counters.seriesDropped],
      [{ reason: 'silence_invalid' }, a.counters.silencesInvalid],
      [{ reason: 'silences_full' }, a.pipeline.silences.refused],
      [{ reason: 'listener_error' }, a.callbacks.errors]
    ] as const
  })
  counterOf(registry, 'healthmon_alert_store_errors_total', 'Alert state, silence or history writes that failed', () => alerts()?.counters.persistErrors ?? 0)
  counterOf(registry, 'healthmon_alert_step_errors_total', 'Evaluation steps that threw (caught; the next step runs)', () => alerts()?.counters.stepErrors ?? 0)
  gaugeFrom(registry, 'healthmon_silences', 'Silences held, by status', ['status'], () => {
    const counts = { pending: 0, active: 0, expired: 0 }
    for (const s of alerts()?.silences() ?? []) counts[s.status]++
    return Object.entries(counts).map(([status, n]) => [{ status }, n] as const)
  })
}
