import type { Notification } from '../alerts/grouping.ts'
import { webhookPayload, type PayloadOptions } from '../alerts/payloads.ts'
import type { Clock } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'
import type { Random } from '../runtime/random.ts'
import type { BackoffOptions } from './backoff.ts'
import { DeliveryQueue, type DeliveryStats } from './delivery-queue.ts'
import { postJson } from './http-post.ts'

/**
 * A webhook receiver (config `alertWebhooks: [{url}]`): each grouped notification is POSTed as
 * Alertmanager's webhook payload (version "4") through a bounded, retrying delivery queue.
 * `notify` returns at once.
 */
export interface WebhookNotifierOptions {
  url: string
  clock: Clock
  random: Random
  logger: Logger
  payload: PayloadOptions
  queueLengthMax: number
  timeoutMs: number
  attemptsMax: number
  backoff?: BackoffOptions
}

export class WebhookNotifier {
  readonly url: string
  private readonly queue: DeliveryQueue<Notification>

  constructor(o: WebhookNotifierOptions) {
    this.url = o.url
    const payload = o.payload
    this.queue = new DeliveryQueue({
      name: o.url, clock: o.clock, random: o.random, logger: o.logger,
      queueLengthMax: o.queueLengthMax, timeoutMs: o.timeoutMs, attemptsMax: o.attemptsMax, backoff: o.backoff,
      attempt: (n, signal) => postJson(o.url, webhookPayload(n, payload), signal)
    })
  }

  notify(notification: Notification): void {
    this.queue.enqueue(notification)
  }

  stats(): DeliveryStats {
    return this.queue.snapshot()
  }

  idle(): Promise<void> {
    return this.queue.idle()
  }

  stop(): void {
    this.queue.stop()
  }
}
