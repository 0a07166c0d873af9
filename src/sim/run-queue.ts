/**
 * The simulator's actor scheduler: a synchronous FIFO of tasks that the simulation loop drains
 * after every virtual timer (VirtualClock.advanceTo's afterEach). Actors on every simulated node
 * schedule their mailbox processing here instead of on the microtask queue, so a delivery and
 * everything it causes run at the delivery's virtual time without a trip through the event loop.
 *
 * Tasks scheduled while draining run in the same drain, in order. `drain` is re-entrant-safe:
 * a nested call returns at once and the outer loop picks the tasks up.
 */
export class RunQueue {
  private tasks: (() => void)[] = []
  private head = 0
  private draining = false
  /** Tasks run so far. */
  ran = 0

  readonly schedule = (task: () => void): void => {
    this.tasks.push(task)
  }

  get length(): number {
    return this.tasks.length - this.head
  }

  readonly drain = (): void => {
    if (this.draining) return
    this.draining = true
    try {
      while (this.head < this.tasks.length) {
        const task = this.tasks[this.head]!
        this.tasks[this.head] = NOOP
        this.head++
        this.ran++
        task()
      }
    } finally {
      this.tasks.length = 0
      this.head = 0
      this.draining = false
    }
  }
}

const NOOP = (): void => {}
