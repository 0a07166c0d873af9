/**
 * A bounded FIFO queue: an actor's inbox. Bounded because an unbounded inbox turns a slow actor
 * into a memory leak (DESIGN.md §6: bound everything, count every drop). When full, the newest
 * message is refused rather than an old one evicted, so the sender learns at once (offer returns
 * false) and the messages already accepted keep their order and their promise of delivery.
 *
 * A ring buffer, so offer and take are O(1) and never reallocate.
 */
export class Mailbox<M> {
  readonly capacity: number
  private readonly slots: (M | undefined)[]
  private head = 0
  private size = 0
  private droppedCount = 0

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`mailbox capacity must be an integer >= 1, got ${capacity}`)
    this.capacity = capacity
    this.slots = new Array<M | undefined>(capacity).fill(undefined)
  }

  /** Enqueues `m`; false (and counted as dropped) when the mailbox is full. */
  offer(m: M): boolean {
    if (this.size === this.capacity) {
      this.droppedCount++
      return false
    }
    this.slots[(this.head + this.size) % this.capacity] = m
    this.size++
    return true
  }

  /** The oldest message, or undefined when empty (check `length` if M may itself be undefined). */
  take(): M | undefined {
    if (this.size === 0) return undefined
    const m = this.slots[this.head]
    this.slots[this.head] = undefined // let the message be collected
    this.head = (this.head + 1) % this.capacity
    this.size--
    return m
  }

  /** Discards every queued message, counting them as dropped; returns how many. */
  clear(): number {
    const discarded = this.size
    while (this.size > 0) this.take()
    this.droppedCount += discarded
    return discarded
  }

  get length(): number {
    return this.size
  }

  /** Messages refused because the mailbox was full, or discarded by clear(). */
  get dropped(): number {
    return this.droppedCount
  }
}
