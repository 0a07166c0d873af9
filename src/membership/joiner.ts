import type { Logger } from '../runtime/logger.ts'
import type { Clock, Timer } from '../runtime/clock.ts'
import type { Random } from '../runtime/random.ts'

/**
 * Joins the cluster through the --join list: tries every address, and retries with exponential
 * backoff and jitter (joinRetryIntervalMsMin doubling up to joinRetryIntervalMsMax) until at
 * least one succeeds. Afterwards it keeps watching: a node that has lost all its peers starts
 * over, so a partitioned or restarted seed never leaves it alone for good.
 */
export interface JoinerOptions {
  addresses: readonly string[]
  retryIntervalMsMin: number
  retryIntervalMsMax: number
  clock: Clock
  random: Random
  logger: Logger
  /** Dials one address; resolves with the peer id reached. */
  dial(address: string): Promise<string>
  /** Whether the node currently has any peer. */
  isConnected(): boolean
  /** Called for each successful dial. */
  onJoined(peerId: string, address: string): void
}

export class Joiner {
  private readonly options: JoinerOptions
  private timer: Timer | undefined
  private delayMs: number
  private running = false
  private attempting = false
  attempts = 0
  successes = 0
  /** Why the last failed attempt failed (one reason per address), until an attempt succeeds. */
  lastError: string | undefined

  constructor(options: JoinerOptions) {
    this.options = options
    this.delayMs = options.retryIntervalMsMin
  }

  start(): void {
    if (this.running || this.options.addresses.length === 0) return
    this.running = true
    void this.attempt()
  }

  stop(): void {
    this.running = false
    this.timer?.cancel()
    this.timer = undefined
  }

  private async attempt(): Promise<void> {
    if (!this.running || this.attempting) return
    this.attempting = true
    let joined: boolean
    try {
      if (this.options.isConnected() && this.successes > 0) {
        joined = true
      } else {
        this.attempts++
        const results = await Promise.allSettled(this.options.addresses.map(async (address) => {
          const peerId = await this.options.dial(address)
          if (this.running) this.options.onJoined(peerId, address)
          return peerId
        }))
        joined = results.some((r) => r.status === 'fulfilled')
        if (joined) {
          this.successes++
          this.lastError = undefined
        } else {
          const reasons = results.map((r) => (r.status === 'rejected' ? String((r.reason as Error)?.message ?? r.reason) : 'ok'))
          this.lastError = this.options.addresses.map((a, i) => `${a}: ${reasons[i]}`).join('; ')
          this.options.logger.warn({ addresses: this.options.addresses, reasons, attempt: this.attempts, retryInMs: Math.round(this.delayMs) }, 'join failed, retrying')
        }
      }
    } finally {
      this.attempting = false
    }
    if (!this.running) return
    if (joined) {
      // Joined: reset the backoff and check connectivity at the slowest pace.
      this.delayMs = this.options.retryIntervalMsMin
      this.arm(this.options.retryIntervalMsMax)
    } else {
      const jittered = this.delayMs * (0.5 + this.options.random.next())
      this.arm(jittered)
      this.delayMs = Math.min(this.options.retryIntervalMsMax, this.delayMs * 2)
    }
  }

  /** Where joining stands, for the view: `joining` while no attempt has reached anyone. */
  status(): { state: 'joining' | 'joined'; attempts: number; lastError?: string } {
    const state = this.successes > 0 ? 'joined' : 'joining'
    return this.lastError === undefined ? { state, attempts: this.attempts } : { state, attempts: this.attempts, lastError: this.lastError }
  }

  /** Called when the node lost its last peer: retry now instead of at the next slow check. */
  lostAllPeers(): void {
    if (!this.running) return
    this.successes = 0
    this.arm(this.delayMs)
  }

  private arm(delayMs: number): void {
    this.timer?.cancel()
    this.timer = this.options.clock.setTimeout(() => { void this.attempt() }, delayMs)
  }
}
