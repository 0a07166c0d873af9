/**
 * Anti-replay for sequence-numbered messages (the IPsec sliding-window scheme, RFC 4303 §3.4.3):
 * per sender, the highest sequence number seen and a bitmap of the 64 below it. A message is new
 * if it is above the highest, or inside the window and not yet marked. Gossip may reorder a
 * sender's messages a little, so "strictly greater than the last" would drop honest ones; the
 * window accepts small reorders and rejects every true replay it can still see.
 *
 * Memory is bounded: at most `sendersMax` senders are tracked, the least recently seen one is
 * forgotten first (a forgotten sender's next message is accepted, which at worst admits one
 * replay per eviction, and gossipsub's own seen-cache covers the recent past).
 */
const WINDOW = 64n

interface SenderWindow {
  incarnation: number
  highest: number
  bitmap: bigint
}

export type ReplayVerdict = 'new' | 'replay' | 'stale-incarnation'

export class ReplayWindow {
  private readonly senders = new Map<string, SenderWindow>()
  private readonly sendersMax: number

  constructor(sendersMax: number) {
    this.sendersMax = sendersMax
  }

  /** Checks and, when new, records (sender, incarnation, seq). */
  check(sender: string, incarnation: number, seq: number): ReplayVerdict {
    const w = this.senders.get(sender)
    if (w === undefined || incarnation > w.incarnation) {
      this.remember(sender, { incarnation, highest: seq, bitmap: 1n })
      return 'new'
    }
    if (incarnation < w.incarnation) return 'stale-incarnation'
    this.touch(sender, w)
    if (seq > w.highest) {
      const shift = BigInt(seq - w.highest)
      w.bitmap = shift >= WINDOW ? 1n : ((w.bitmap << shift) | 1n) & ((1n << WINDOW) - 1n)
      w.highest = seq
      return 'new'
    }
    const offset = BigInt(w.highest - seq)
    if (offset >= WINDOW) return 'replay'
    const bit = 1n << offset
    if ((w.bitmap & bit) !== 0n) return 'replay'
    w.bitmap |= bit
    return 'new'
  }

  get size(): number {
    return this.senders.size
  }

  private touch(sender: string, w: SenderWindow): void {
    this.senders.delete(sender)
    this.senders.set(sender, w)
  }

  private remember(sender: string, w: SenderWindow): void {
    this.senders.delete(sender)
    if (this.senders.size >= this.sendersMax) {
      const oldest = this.senders.keys().next().value
      if (oldest !== undefined) this.senders.delete(oldest)
    }
    this.senders.set(sender, w)
  }
}
