import type { Logger } from '../runtime/logger.ts'
import type { Clock, Timer } from '../runtime/clock.ts'
import type { Random } from '../runtime/random.ts'
import { BACKOFF_DEFAULTS, backoffDelayMs, type BackoffOptions } from './backoff.ts'

/**
 * A bounded delivery queue for one receiver: `enqueue` returns at once and never throws, so a
 * slow, hung or failing receiver never delays the caller (detection, evaluation). One item is in
 * flight at a time; each attempt is aborted after timeoutMs; failures are retried with jittered
 * exponential backoff up to attemptsMax attempts. Past queueLengthMax the oldest queued item is
 * dropped (the newest state matters most), counted and logged.
 */
export type AttemptResult = 'delivered' | 'retry' | 'rejected'

export interface DeliveryQueueOptions<T> {
  name: string
  clock: Clock
  random: Random
  logger: Logger
  /** One attempt: resolves to what happened; the signal aborts it at timeoutMs. */
  attempt: (item: T, signal: AbortSignal) => Promise<AttemptResult>
  queueLengthMax: number
  timeoutMs: number
  attemptsMax: number
  backoff?: BackoffOptions
}

export interface DeliveryStats {
  queued: number
  delivered: number
  /** Dropped because the queue was full. */
  dropped: number
  /** Given up after attemptsMax attempts. */
  failed: number
  /** Refused by the receiver (a 4xx other than 429): not retried. */
  rejected: number
  retries: number
  timeouts: number
}

export class DeliveryQueue<T> {
  private readonly o: DeliveryQueueOptions<T>
  private readonly items: T[] = []
  private busy = false
  private stopped = false
  private timer: Timer | undefined
  private inFlight: AbortController | undefined
  private readonly idleWaiters: (() => void)[] = []
  readonly stats: Omit<DeliveryStats, 'queued'> = { delivered: 0, dropped: 0, failed: 0, rejected: 0, retries: 0, timeouts: 0 }

  constructor(options: DeliveryQueueOptions<T>) {
    this.o = options
  }

  get length(): number {
    return this.items.length
  }

  snapshot(): DeliveryStats {
    return { queued: this.items.length, ...this.stats }
  }

  enqueue(item: T): void {
    if (this.stopped) return
    this.items.push(item)
    if (this.items.length > this.o.queueLengthMax) {
      this.items.shift()
      this.stats.dropped++
      this.o.logger.warn({ receiver: this.o.name, dropped: this.stats.dropped }, 'notification queue full: oldest notification dropped')
    }
    if (!this.busy) void this.drain()
  }

  /** Resolves when nothing is queued or in flight (tests, graceful stop). */
  idle(): Promise<void> {
    if (!this.busy && this.items.length === 0) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  /** Stops: cancels the pending retry, aborts the attempt in flight, forgets the queue. */
  stop(): void {
    this.stopped = true
    this.timer?.cancel()
    this.inFlight?.abort()
    this.items.length = 0
    this.settleIdle()
  }

  private settleIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve()
  }

  private async drain(): Promise<void> {
    this.busy = true
    try {
      while (!this.stopped && this.items.length > 0) {
        const item = this.items.shift()!
        await this.deliver(item)
      }
    } finally {
      this.busy = false
      if (this.items.length === 0 || this.stopped) this.settleIdle()
    }
  }

  private async deliver(item: T): Promise<void> {
    for (let attempt = 0; attempt < this.o.attemptsMax && !this.stopped; attempt++) {
      if (attempt > 0) {
        this.stats.retries++
        await new Promise<void>((resolve) => { this.timer = this.o.clock.setTimeout(resolve, backoffDelayMs(attempt - 1, this.o.backoff ?? BACKOFF_DEFAULTS, this.o.random)) })
        if (this.stopped) return
      }
      const controller = new AbortController()
      this.inFlight = controller
      let timedOut = false
      const timeout = this.o.clock.setTimeout(() => { timedOut = true; controller.abort() }, this.o.timeoutMs)
      let result: AttemptResult
      try {
        result = await this.o.attempt(item, controller.signal)
      } catch (error) {
        result = 'retry'
        if (timedOut) this.stats.timeouts++
        this.o.logger.debug({ receiver: this.o.name, attempt, err: error }, 'notification attempt failed')
      } finally {
        timeout.cancel()
        this.inFlight = undefined
      }
      if (result === 'delivered') { this.stats.delivered++; return }
      if (result === 'rejected') {
        this.stats.rejected++
        this.o.logger.warn({ receiver: this.o.name }, 'receiver rejected the notification (4xx): not retried')
        return
      }
    }
    if (this.stopped) return
    this.stats.failed++
    this.o.logger.warn({ receiver: this.o.name, attempts: this.o.attemptsMax }, 'notification undeliverable: dropped after all attempts')
  }
}
