import type { Notification, NotifiableAlert } from './grouping.ts'
import { commonLabels, fingerprint } from './labels.ts'

/**
 * The two wire formats our notifiers speak, both Alertmanager's:
 *
 * 1. The webhook payload Alertmanager POSTs to a webhook_config receiver, version "4"
 *    (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config): status,
 *    receiver, groupKey, truncatedAlerts, groupLabels, commonLabels, commonAnnotations,
 *    externalURL, and alerts with status, labels, annotations, startsAt, endsAt (Go's zero time
 *    "0001-01-01T00:00:00Z" while firing), generatorURL and fingerprint (of the labels sent).
 * 2. The body of Alertmanager's `POST /api/v2/alerts` (postableAlerts in its OpenAPI spec), with
 *    the client contract Prometheus follows (notifier/notifier.go, rules/alerting.go): firing
 *    alerts are re-sent every resendMs with endsAt = now + 4 x resendMs, so Alertmanager resolves
 *    them by itself if the sender dies; resolved ones are sent with endsAt = the resolve time, and
 *    re-sent for resolvedResendMs (15 min) in case one send was lost.
 */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z'

export interface WebhookAlert {
  status: 'firing' | 'resolved'
  labels: Record<string, string>
  annotations: Record<string, string>
  startsAt: string
  endsAt: string
  generatorURL: string
  fingerprint: string
}

export interface WebhookPayload {
  version: '4'
  groupKey: string
  truncatedAlerts: number
  status: 'firing' | 'resolved'
  receiver: string
  groupLabels: Record<string, string>
  commonLabels: Record<string, string>
  commonAnnotations: Record<string, string>
  externalURL: string
  alerts: WebhookAlert[]
}

export interface PayloadOptions {
  receiver: string
  /** Where a person can look (the agent's view); Alertmanager puts its own URL here. */
  externalUrl: string
  /** Link back to what generated the alert; empty when there is none. */
  generatorUrl?: string
  /** Alerts per payload (Alertmanager's max_alerts); the rest are counted in truncatedAlerts. 0: all. */
  alertsMax?: number
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}

function webhookAlert(a: NotifiableAlert, generatorUrl: string): WebhookAlert {
  const labels = { ...a.labels }
  return {
    status: a.status,
    labels,
    annotations: { ...a.annotations },
    startsAt: iso(a.startsAtMs),
    endsAt: a.status === 'resolved' && a.endsAtMs !== null ? iso(a.endsAtMs) : GO_ZERO_TIME,
    generatorURL: generatorUrl,
    fingerprint: fingerprint(labels)
  }
}

export function webhookPayload(n: Notification, options: PayloadOptions): WebhookPayload {
  const limit = options.alertsMax ?? 0
  const kept = limit > 0 ? n.alerts.slice(0, limit) : n.alerts
  const alerts = kept.map((a) => webhookAlert(a, options.generatorUrl ?? ''))
  return {
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: n.alerts.length - kept.length,
    status: n.status,
    receiver: options.receiver,
    groupLabels: { ...n.groupLabels },
    commonLabels: commonLabels(n.alerts.map((a) => a.labels)),
    commonAnnotations: commonLabels(n.alerts.map((a) => a.annotations)),
    externalURL: options.externalUrl,
    alerts
  }
}

/** One element of POST /api/v2/alerts. */
export interface PostableAlert {
  labels: Record<string, string>
  annotations: Record<string, string>
  startsAt: string
  endsAt: string
  generatorURL?: string
}

export interface AlertmanagerPushOptions {
  /** Firing alerts are re-sent this often (Prometheus' resend delay, 1 min). */
  resendMs: number
  /** Resolved alerts are re-sent this long after they resolved. */
  resolvedResendMs: number
  generatorUrl?: string
}

export const ALERTMANAGER_PUSH_DEFAULTS: AlertmanagerPushOptions = { resendMs: 60_000, resolvedResendMs: 15 * 60_000 }

/**
 * Which alerts go out now, and their bodies. `lastSent` maps fingerprints to the last push (time
 * and status), updated in place: an alert is sent when new or when its status changed since its
 * last push; then a firing one again every resendMs, a resolved one every resendMs until
 * resolvedResendMs after it resolved (Prometheus' needsSending). Entries of alerts no longer
 * given are forgotten, so the map is bounded by the alerts held.
 */
export function alertmanagerBatch(alerts: readonly NotifiableAlert[], lastSent: Map<string, { atMs: number; status: 'firing' | 'resolved' }>, nowMs: number, options: AlertmanagerPushOptions): PostableAlert[] {
  const out: PostableAlert[] = []
  const present = new Set<string>()
  for (const a of alerts) {
    present.add(a.fingerprint)
    const last = lastSent.get(a.fingerprint)
    const changed = last === undefined || last.status !== a.status
    let due = changed || nowMs - last.atMs >= options.resendMs
    if (a.status === 'resolved' && nowMs - (a.endsAtMs ?? nowMs) >= options.resolvedResendMs) due = false
    if (!due) continue
    lastSent.set(a.fingerprint, { atMs: nowMs, status: a.status })
    const body: PostableAlert = {
      labels: { ...a.labels },
      annotations: { ...a.annotations },
      startsAt: iso(a.startsAtMs),
      endsAt: iso(a.status === 'firing' ? nowMs + 4 * options.resendMs : a.endsAtMs ?? nowMs)
    }
    if (options.generatorUrl !== undefined && options.generatorUrl !== '') body.generatorURL = options.generatorUrl
    out.push(body)
  }
  for (const fp of lastSent.keys()) if (!present.has(fp)) lastSent.delete(fp)
  return out
}
