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
  private readonly ring: LoggedEvent[] = []
  private readonly max: number
  private nextId = 1
  private readonly listeners = new Set<(event: LoggedEvent) => void>()

  constructor(max: number) {
    this.max = max
  }

  append<K extends HealthEventName>(type: K, atMs: number, data: HealthEvents[K][0]): LoggedEvent<K> {
    const event: LoggedEvent<K> = { id: this.nextId++, type, atMs, data }
    this.ring.push(event)
    if (this.ring.length > this.max) this.ring.splice(0, this.ring.length - this.max)
    for (const listener of this.listeners) listener(event)
    return event
  }

  /** Events with id > `afterId`, oldest first, at most `limit`. */
  after(afterId: number, limit: number): LoggedEvent[] {
    const first = this.ring[0]
    if (first === undefined) return []
    const start = Math.max(0, afterId + 1 - first.id)
    return this.ring.slice(start, start + limit)
  }

  /** The id of the newest event (0 when none). */
  get lastId(): number {
    return this.nextId - 1
  }

  /** The id of the oldest event still held (lastId + 1 when empty). */
  get firstId(): number {
    return this.ring[0]?.id ?? this.nextId
  }

  subscribe(listener: (event: LoggedEvent) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  get subscribers(): number {
    return this.listeners.size
  }
}
