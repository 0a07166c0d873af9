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
