import { SlotIndex } from '../runtime/slot-index.ts'

/**
 * A token bucket per sender: at most `burst` messages at once, refilled at `perSecond`. The
 * gossip validator (src/transport/message-validator.ts) holds one per class of message
 * (heartbeats, membership, alerting; sized in receive-budgets.ts) so one member cannot flood the
 * cluster: past its budget, its messages are dropped at the first hop (ignored, so not
 * forwarded) and counted.
 *
 * Time comes from the injected clock. Memory is bounded: at most `sendersMax` buckets, a least
 * recently used one forgotten first (SlotIndex; a forgotten sender starts again with a full
 * bucket, which at worst lets one burst more through per eviction).
 *
 * A bucket is a slot in two Float64Array columns, not an object: the simulator holds a bucket
 * per (node, member) pair, and the columns cost 16 bytes a sender where an object with its two
 * boxed doubles cost ~88 (see SlotIndex).
 */

export interface SenderRateLimitOptions {
  perSecond: number
  burst: number
  sendersMax: number
  now: () => number
}

export class SenderRateLimit {
  private readonly options: SenderRateLimitOptions
  private readonly buckets: SlotIndex<string>
  private tokens: Float64Array
  private atMs: Float64Array

  constructor(options: SenderRateLimitOptions) {
    this.options = options
    this.buckets = new SlotIndex(options.sendersMax)
    this.tokens = new Float64Array(this.buckets.capacity)
    this.atMs = new Float64Array(this.buckets.capacity)
  }

  /** Takes one token from the sender's bucket; false when it is empty (the message is over the limit). */
  take(sender: string): boolean {
    const { perSecond, burst } = this.options
    const now = this.options.now()
    let b = this.buckets.get(sender)
    let tokens: number
    if (b === -1) {
      b = this.buckets.add(sender)
      if (this.buckets.capacity > this.tokens.length) this.grow()
      tokens = burst
    } else {
      tokens = Math.min(burst, this.tokens[b]! + (Math.max(0, now - this.atMs[b]!) * perSecond) / 1000)
    }
    this.atMs[b] = now
    if (tokens < 1) {
      this.tokens[b] = tokens
      return false
    }
    this.tokens[b] = tokens - 1
    return true
  }

  get size(): number {
    return this.buckets.size
  }

  private grow(): void {
    const n = this.buckets.capacity
    const tokens = new Float64Array(n)
    const atMs = new Float64Array(n)
    tokens.set(this.tokens)
    atMs.set(this.atMs)
    this.tokens = tokens
    this.atMs = atMs
  }
}
