import type { NotifiableAlert } from '../alerts/grouping.ts'
import { ALERTMANAGER_PUSH_DEFAULTS, alertmanagerBatch, type AlertmanagerPushOptions, type PostableAlert } from '../alerts/payloads.ts'
import type { Clock, Timer } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'
import type { Random } from '../runtime/random.ts'
import type { BackoffOptions } from './backoff.ts'
import { DeliveryQueue, type DeliveryStats } from './delivery-queue.ts'
import { postJson } from './http-post.ts'

/**
 * Pushes alerts to real Alertmanagers (config `alertmanagerUrls`) through `POST /api/v2/alerts`,
 * following the client contract (payloads.ts): new and changed alerts at once, firing ones again
 * every resendMs, resolved ones with their endsAt. Alertmanager does its own grouping, silencing
 * and deduplication (identical label sets from several agents are one alert), so every agent may
 * push what it sees. One bounded delivery queue per URL; `push` returns at once.
 */
export interface AlertmanagerPusherOptions {
  urls: readonly string[]
  clock: Clock
  random: Random
  logger: Logger
  queueLengthMax: number
  timeoutMs: number
  attemptsMax: number
  push?: Partial<AlertmanagerPushOptions>
  backoff?: BackoffOptions
}

/** Bodies are cut into batches of at most this many alerts (Prometheus sends 64 per request). */
export const ALERTMANAGER_BATCH_MAX = 64

export class AlertmanagerPusher {
  private readonly o: AlertmanagerPusherOptions
  private readonly push: AlertmanagerPushOptions
  private readonly lastSent = new Map<string, { atMs: number; status: 'firing' | 'resolved' }>()
  private readonly queues: DeliveryQueue<PostableAlert[]>[]
  private timer: Timer | undefined

  constructor(o: AlertmanagerPusherOptions) {
    this.o = o
    this.push = { ...ALERTMANAGER_PUSH_DEFAULTS, ...o.push }
    this.queues = o.urls.map((base) => {
      const url = new URL('api/v2/alerts', base.endsWith('/') ? base : base + '/').toString()
      return new DeliveryQueue<PostableAlert[]>({
        name: url, clock: o.clock, random: o.random, logger: o.logger,
        queueLengthMax: o.queueLengthMax, timeoutMs: o.timeoutMs, attemptsMax: o.attemptsMax, backoff: o.backoff,
        attempt: (body, signal) => postJson(url, body, signal)
      })
    })
  }

  /** Sends what is due among `alerts` (the current notifiable set) to every Alertmanager. */
  send(alerts: readonly NotifiableAlert[]): number {
    const batch = alertmanagerBatch(alerts, this.lastSent, this.o.clock.now(), this.push)
    for (let i = 0; i < batch.length; i += ALERTMANAGER_BATCH_MAX) {
      const chunk = batch.slice(i, i + ALERTMANAGER_BATCH_MAX)
      for (const q of this.queues) q.enqueue(chunk)
    }
    return batch.length
  }

  /** Re-sends periodically from `current()` (firing alerts must be refreshed before their endsAt). */
  start(current: () => readonly NotifiableAlert[]): void {
    this.timer ??= this.o.clock.setInterval(() => this.send(current()), this.push.resendMs)
  }

  stats(): DeliveryStats[] {
    return this.queues.map((q) => q.snapshot())
  }

  idle(): Promise<void> {
    return Promise.all(this.queues.map((q) => q.idle())).then(() => undefined)
  }

  stop(): void {
    this.timer?.cancel()
    this.timer = undefined
    for (const q of this.queues) q.stop()
  }
}
