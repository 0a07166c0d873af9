/**
 * A token bucket per sender: at most `burst` messages at once, refilled at `perSecond`. The
 * gossip validator uses it for the alerting messages (src/transport/message-validator.ts) so one
 * member cannot flood the cluster with marks, silences or force-leaves: past its budget, its
 * messages are dropped at the first hop (ignored, so not forwarded) and counted.
 *
 * Time comes from the injected clock. Memory is bounded: at most `sendersMax` buckets, the least
 * recently used one forgotten first (a forgotten sender starts again with a full bucket, which at
 * worst lets one burst more through per eviction).
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
}

export class SenderRateLimit {
  private readonly options: SenderRateLimitOptions
  private readonly buckets = new Map<string, Bucket>()

  constructor(options: SenderRateLimitOptions) {
    this.options = options
  }

  /** Takes one token from the sender's bucket; false when it is empty (the message is over the limit). */
  take(sender: string): boolean {
    const { perSecond, burst, sendersMax } = this.options
    const now = this.options.now()
    let b = this.buckets.get(sender)
    if (b === undefined) {
      if (this.buckets.size >= sendersMax) {
        const oldest = this.buckets.keys().next().value
        if (oldest !== undefined) this.buckets.delete(oldest)
      }
      b = { tokens: burst, atMs: now }
    } else {
      this.buckets.delete(sender) // re-inserted below: Map order is recency
      b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.atMs) * perSecond) / 1000)
      b.atMs = now
    }
    this.buckets.set(sender, b)
    if (b.tokens < 1) return false
    b.tokens -= 1
    return true
  }

  get size(): number {
    return this.buckets.size
  }
}
