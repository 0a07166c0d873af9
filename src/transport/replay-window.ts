import { SlotIndex } from '../runtime/slot-index.ts'

/**
 * Anti-replay for sequence-numbered messages (the IPsec sliding-window scheme, RFC 4303 §3.4.3):
 * per sender, the highest sequence number seen and a bitmap of the 64 below it. A message is new
 * if it is above the highest, or inside the window and not yet marked. Gossip may reorder a
 * sender's messages a little, so "strictly greater than the last" would drop honest ones; the
 * window accepts small reorders and rejects every true replay it can still see.
 *
 * Memory is bounded: at most `sendersMax` senders are tracked, a least recently seen one is
 * forgotten first (SlotIndex; a forgotten sender's next message is accepted, which at worst
 * admits one replay per eviction, and gossipsub's own seen-cache covers the recent past).
 *
 * A sender's window is a slot in typed-array columns, not an object: the simulator holds one
 * window per (node, member) pair, and the columns cost 24 bytes a sender where an object cost
 * ~56 (see SlotIndex).
 */

const WINDOW = 64

export type ReplayVerdict = 'new' | 'replay' | 'stale-incarnation'

export class ReplayWindow {
  private readonly senders: SlotIndex<string>
  // Incarnation and seq are safe integers (up to 2^53), so they take doubles. The 64-bit bitmap
  // is two unsigned 32-bit halves (bit 0 of `lo` is `highest`, bit k is highest - k): plain
  // numbers, where a bigint allocated on every shift of every message. A Uint32Array store wraps
  // to unsigned 32 bits itself, so the shifts below need no `>>> 0`.
  private incarnation: Float64Array
  private highest: Float64Array
  private lo: Uint32Array
  private hi: Uint32Array

  constructor(sendersMax: number) {
    this.senders = new SlotIndex(sendersMax)
    const n = this.senders.capacity
    this.incarnation = new Float64Array(n)
    this.highest = new Float64Array(n)
    this.lo = new Uint32Array(n)
    this.hi = new Uint32Array(n)
  }

  /** Checks and, when new, records (sender, incarnation, seq). */
  check(sender: string, incarnation: number, seq: number): ReplayVerdict {
    let s = this.senders.get(sender)
    if (s === -1 || incarnation > this.incarnation[s]!) {
      if (s === -1) {
        s = this.senders.add(sender)
        if (this.senders.capacity > this.lo.length) this.grow()
      } else {
        this.senders.unmark(s) // a new incarnation starts a fresh window, unread since
      }
      this.incarnation[s] = incarnation
      this.highest[s] = seq
      this.lo[s] = 1
      this.hi[s] = 0
      return 'new'
    }
    if (incarnation < this.incarnation[s]!) return 'stale-incarnation'
    const highest = this.highest[s]!
    const lo = this.lo[s]!
    const hi = this.hi[s]!
    if (seq > highest) {
      const shift = seq - highest
      if (shift >= WINDOW) {
        this.hi[s] = 0
        this.lo[s] = 1
      } else if (shift >= 32) {
        this.hi[s] = lo << (shift - 32)
        this.lo[s] = 1
      } else {
        this.hi[s] = (hi << shift) | (lo >>> (32 - shift))
        this.lo[s] = (lo << shift) | 1
      }
      this.highest[s] = seq
      return 'new'
    }
    const offset = highest - seq
    if (offset >= WINDOW) return 'replay'
    if (offset < 32) {
      const bit = 1 << offset
      if ((lo & bit) !== 0) return 'replay'
      this.lo[s] = lo | bit
    } else {
      const bit = 1 << (offset - 32)
      if ((hi & bit) !== 0) return 'replay'
      this.hi[s] = hi | bit
    }
    return 'new'
  }

  get size(): number {
    return this.senders.size
  }

  private grow(): void {
    const n = this.senders.capacity
    const incarnation = new Float64Array(n)
    const highest = new Float64Array(n)
    const lo = new Uint32Array(n)
    const hi = new Uint32Array(n)
    incarnation.set(this.incarnation)
    highest.set(this.highest)
    lo.set(this.lo)
    hi.set(this.hi)
    this.incarnation = incarnation
    this.highest = highest
    this.lo = lo
    this.hi = hi
  }
}
