import { SecondChanceMap } from '../runtime/second-chance-map.ts'

/**
 * Anti-replay for sequence-numbered messages (the IPsec sliding-window scheme, RFC 4303 §3.4.3):
 * per sender, the highest sequence number seen and a bitmap of the 64 below it. A message is new
 * if it is above the highest, or inside the window and not yet marked. Gossip may reorder a
 * sender's messages a little, so "strictly greater than the last" would drop honest ones; the
 * window accepts small reorders and rejects every true replay it can still see.
 *
 * Memory is bounded: at most `sendersMax` senders are tracked, a least recently seen one is
 * forgotten first (SecondChanceMap; a forgotten sender's next message is accepted, which at worst
 * admits one replay per eviction, and gossipsub's own seen-cache covers the recent past).
 */

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

export type ReplayVerdict = 'new' | 'replay' | 'stale-incarnation'

export class ReplayWindow {
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
