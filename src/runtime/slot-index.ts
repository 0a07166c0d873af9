/**
 * Keys to small integer slots, at most `max` of them, forgetting a least recently used key when
 * full by the CLOCK ("second chance") approximation of LRU: a read marks its key used; eviction
 * walks from the oldest insertion, gives each used key a second chance (unmarked, moved to the
 * back) and forgets the first unused one, whose slot the new key takes. Exact LRU re-inserts a
 * key on every read, and that delete and insert per message was a measurable share of the
 * simulator's time (the anti-replay windows and receive budgets are read for every gossip
 * message); here a read is one lookup and a flag.
 *
 * The caller keeps its per-key fields in typed-array columns indexed by slot. The simulator runs
 * thousands of nodes in one process, each with a table entry per other member in two of these
 * tables: an object per entry cost ~56 bytes plus a 16-byte boxed number per float field, where a
 * slot is a small integer stored inline in the Map and its fields are a few bytes of column.
 *
 * Slots are dense: a new key takes slot `size` while there is room, and the evicted key's slot
 * when full (nothing else frees a slot), so there is no free list. `capacity` (the column length
 * the caller needs) starts small and doubles up to `max`, so a table with 8 keys does not
 * allocate `max` slots.
 */
export class SlotIndex<K> {
  private readonly slots = new Map<K, number>()
  private used: Uint8Array
  readonly max: number

  constructor(max: number, initialCapacity = 16) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be an integer >= 1, got ${max}`)
    this.max = max
    this.used = new Uint8Array(Math.min(max, Math.max(1, initialCapacity)))
  }

  /** The key's slot, marked used; -1 when the key is not held. */
  get(key: K): number {
    const slot = this.slots.get(key)
    if (slot === undefined) return -1
    this.used[slot] = 1
    return slot
  }

  /**
   * A slot for a key not held (the caller checked with `get`), unmarked, at the back of the
   * eviction order; when full, the slot of the key forgotten to make room. The caller overwrites
   * every field of the returned slot, and grows its columns first when `capacity` has grown.
   */
  add(key: K): number {
    let slot: number
    if (this.slots.size >= this.max) {
      slot = this.evictOne()
    } else {
      slot = this.slots.size
      if (slot >= this.used.length) this.grow()
    }
    this.used[slot] = 0
    this.slots.set(key, slot)
    return slot
  }

  /** Unmarks a slot, as if its key had not been read since its last chance. */
  unmark(slot: number): void {
    this.used[slot] = 0
  }

  get size(): number {
    return this.slots.size
  }

  /** The number of slots allocated: every slot `add` returns is below it. */
  get capacity(): number {
    return this.used.length
  }

  private grow(): void {
    const used = new Uint8Array(Math.min(this.max, this.used.length * 2))
    used.set(this.used)
    this.used = used
  }

  private evictOne(): number {
    // Ends within size + 1 steps: every used key seen is unmarked, so a full turn finds one.
    for (const [key, slot] of this.slots) {
      this.slots.delete(key)
      if (this.used[slot] === 0) return slot
      this.used[slot] = 0
      this.slots.set(key, slot)
    }
    throw new Error('unreachable: evictOne on an empty index')
  }
}
