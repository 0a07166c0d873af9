import type { HealthEventName, HealthEvents } from './events.ts'

/**
 * Every event this node emitted, numbered, in a bounded ring (Netdata's alarm_log): clients
 * read it incrementally with `after(id)` and follow it live with `subscribe`. Ids increase by one
 * per event and survive the ring's wrap, so a client that fell behind sees the gap.
 */
export interface LoggedEvent<K extends HealthEventName = HealthEventName> {
  id: number
  type: K
  /** Epoch milliseconds. */
  atMs: number
  data: HealthEvents[K][0]
}

export class EventLog {
  /** A circular buffer: the event with id i sits at (i - 1) % max, the oldest held is nextId - size. */
  private readonly ring: LoggedEvent[] = []
  private readonly max: number
  private nextId = 1
  private size = 0
  private readonly listeners = new Set<(event: LoggedEvent) => void>()

  constructor(max: number) {
    this.max = max
  }

  append<K extends HealthEventName>(type: K, atMs: number, data: HealthEvents[K][0]): LoggedEvent<K> {
    const event: LoggedEvent<K> = { id: this.nextId++, type, atMs, data }
    // Overwrites the oldest once full: O(1), where shifting the array moved all max entries.
    this.ring[(event.id - 1) % this.max] = event
    if (this.size < this.max) this.size++
    for (const listener of this.listeners) listener(event)
    return event
  }

  /** Events with id > `afterId`, oldest first, at most `limit`. */
  after(afterId: number, limit: number): LoggedEvent[] {
    const from = Math.max(afterId + 1, this.firstId)
    const to = Math.min(this.nextId, from + Math.max(0, limit))
    const out: LoggedEvent[] = []
    for (let id = from; id < to; id++) out.push(this.ring[(id - 1) % this.max]!)
    return out
  }

  /** The id of the newest event (0 when none). */
  get lastId(): number {
    return this.nextId - 1
  }

  /** The id of the oldest event still held (lastId + 1 when empty). */
  get firstId(): number {
    return this.nextId - this.size
  }

  subscribe(listener: (event: LoggedEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  get subscribers(): number {
    return this.listeners.size
  }
}
