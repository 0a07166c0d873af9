/**
 * The per-sender tables as they were before the columnar layout (src/runtime/slot-index.ts), kept
 * verbatim as the reference the property tests compare against: a SecondChanceMap (a Map of
 * objects bounded by CLOCK eviction) with one object per sender. Only the names changed.
 */
import type { ReplayVerdict } from '../../src/transport/replay-window.ts'
import type { SenderRateLimitOptions } from '../../src/transport/sender-rate-limit.ts'

/**
 * A Map bounded to `max` entries that forgets a least recently used one when full, by the CLOCK
 * ("second chance") approximation of LRU: a read marks its entry used; eviction walks from the
 * oldest insertion, gives each used entry a second chance (unmarked, moved to the back) and
 * forgets the first unused one. Exact LRU re-inserts an entry on every read, and that delete and
 * insert per message was a measurable share of the simulator's time (the anti-replay windows and
 * receive budgets are read for every gossip message); here a read is one lookup and a flag.
 *
 * Values carry the flag themselves (`used`), so an entry costs no extra object.
 */
export class SecondChanceMap<K, V extends { used: boolean }> {
  private readonly entries = new Map<K, V>()
  private readonly max: number

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be an integer >= 1, got ${max}`)
    this.max = max
  }

  /** The value, marked used. */
  get(key: K): V | undefined {
    const v = this.entries.get(key)
    if (v !== undefined) v.used = true
    return v
  }

  /** Stores (a new key, or a new value in an existing key's place), forgetting one entry when full. */
  set(key: K, value: V): void {
    if (!this.entries.has(key) && this.entries.size >= this.max) this.evictOne()
    this.entries.set(key, value)
  }

  get size(): number {
    return this.entries.size
  }

  private evictOne(): void {
    // Ends within size + 1 steps: every used entry seen is unmarked, so a full turn finds one.
    for (const [key, v] of this.entries) {
      this.entries.delete(key)
      if (!v.used) return
      v.used = false
      this.entries.set(key, v)
    }
  }
}

const WINDOW = 64

/**
 * The 64-bit bitmap as two unsigned 32-bit halves (bit 0 of `lo` is `highest`, bit k is
 * highest - k): plain numbers, where a bigint allocated on every shift of every message.
 */
interface SenderWindow {
  incarnation: number
  highest: number
  lo: number
  hi: number
  used: boolean
}

export class ReferenceReplayWindow {
  private readonly senders: SecondChanceMap<string, SenderWindow>

  constructor(sendersMax: number) {
    this.senders = new SecondChanceMap(sendersMax)
  }

  /** Checks and, when new, records (sender, incarnation, seq). */
  check(sender: string, incarnation: number, seq: number): ReplayVerdict {
    const w = this.senders.get(sender)
    if (w === undefined || incarnation > w.incarnation) {
      this.senders.set(sender, { incarnation, highest: seq, lo: 1, hi: 0, used: false })
      return 'new'
    }
    if (incarnation < w.incarnation) return 'stale-incarnation'
    if (seq > w.highest) {
      const shift = seq - w.highest
      if (shift >= WINDOW) {
        w.hi = 0
        w.lo = 1
      } else if (shift >= 32) {
        w.hi = (w.lo << (shift - 32)) >>> 0
        w.lo = 1
      } else {
        w.hi = ((w.hi << shift) | (w.lo >>> (32 - shift))) >>> 0
        w.lo = ((w.lo << shift) | 1) >>> 0
      }
      w.highest = seq
      return 'new'
    }
    const offset = w.highest - seq
    if (offset >= WINDOW) return 'replay'
    if (offset < 32) {
      const bit = (1 << offset) >>> 0
      if ((w.lo & bit) !== 0) return 'replay'
      w.lo = (w.lo | bit) >>> 0
    } else {
      const bit = (1 << (offset - 32)) >>> 0
      if ((w.hi & bit) !== 0) return 'replay'
      w.hi = (w.hi | bit) >>> 0
    }
    return 'new'
  }

  get size(): number {
    return this.senders.size
  }
}

interface Bucket {
  tokens: number
  atMs: number
  used: boolean
}

export class ReferenceSenderRateLimit {
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
