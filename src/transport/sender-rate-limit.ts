import { SecondChanceMap } from '../runtime/second-chance-map.ts'

/**
 * A token bucket per sender: at most `burst` messages at once, refilled at `perSecond`. The
 * gossip validator (src/transport/message-validator.ts) holds one per class of message
 * (heartbeats, membership, alerting; sized in receive-budgets.ts) so one member cannot flood the
 * cluster: past its budget, its messages are dropped at the first hop (ignored, so not
 * forwarded) and counted.
 *
 * Time comes from the injected clock. Memory is bounded: at most `sendersMax` buckets, a least
 * recently used one forgotten first (SecondChanceMap; a forgotten sender starts again with a full
 * bucket, which at worst lets one burst more through per eviction).
 */

export interface SenderRateLimitOptions {
  perSecond: number
  burst: number
  sendersMax: number
  now: () => number
}

interface Bucket {
  tokens: number
  atMs: number
  used: boolean
}

export class SenderRateLimit {
  private readonly options: SenderRateLimitOptions
  private readonly buckets: SecondChanceMap<string, Bucket>

  constructor(options: SenderRateLimitOptions) {
    this.options = options
    this.buckets = new SecondChanceMap(options.sendersMax)
  }

  /** Takes one token from the sender's bucket; false when it is empty (the message is over the limit). */
  take(sender: string): boolean {
    const { perSecond, burst } = this.options
    const now = this.options.now()
    let b = this.buckets.get(sender)
    if (b === undefined) {
      b = { tokens: burst, atMs: now, used: false }
      this.buckets.set(sender, b)
    } else {
      b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.atMs) * perSecond) / 1000)
      b.atMs = now
    }
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  get size(): number {
    return this.buckets.size
  }
}
