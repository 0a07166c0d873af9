/**
 * The signatures a MemoryNetwork has issued, so that checking one is a lookup and a byte
 * comparison instead of recomputing its HMAC (two SHA-256 passes, ~8 µs with their buffer
 * copies). At 1,000 simulated nodes every node checks every member's record once: a million
 * checks during boot, 15 % of its time before this book.
 *
 * The answer is the one recomputing gives. A signature in the book was issued for exactly one
 * (peer, data) pair: another pair with the same HMAC would be a SHA-256 collision. A signature
 * not in the book (a forgery, or one evicted) is recomputed by the caller. Bounded: past
 * `entriesMax` the oldest entry goes (FIFO), which only costs a recomputation.
 */
export class IssuedSignatures {
  private readonly entries = new Map<string, { peerId: string; data: Buffer }>()
  private readonly entriesMax: number

  constructor(entriesMax: number) {
    this.entriesMax = entriesMax
  }

  get size(): number {
    return this.entries.size
  }

  /** Records that `signature` was issued to `peerId` over `data` (copied: callers reuse buffers). */
  remember(signature: Uint8Array, peerId: string, data: Uint8Array): void {
    if (this.entries.size >= this.entriesMax) this.entries.delete(this.entries.keys().next().value!)
    this.entries.set(keyOf(signature), { peerId, data: Buffer.from(data) })
  }

  /**
   * Whether `signature` is in the book as `peerId`'s over `data`: true or false when it is
   * held, undefined when it is not (the caller recomputes).
   */
  check(signature: Uint8Array, peerId: string, data: Uint8Array): boolean | undefined {
    const issued = this.entries.get(keyOf(signature))
    if (issued === undefined) return undefined
    return issued.peerId === peerId && issued.data.equals(data)
  }
}

/** One latin1 character per byte: a compact, exact map key. */
function keyOf(signature: Uint8Array): string {
  return Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('latin1')
}
