/**
 * The bound on exec checks running at once (checkRunsConcurrentMax). A run that finds every
 * slot busy waits, first come first served, and is counted in `queued`; the scheduler never has
 * more than one run per check waiting, so the queue is bounded by the number of checks.
 */
export type Release = () => void

export class RunSlots {
  /** Runs that had to wait for a slot, since start. */
  queued = 0
  private active = 0
  private readonly waiting: ((release: Release) => void)[] = []

  private readonly max: number

  constructor(max: number) {
    this.max = max
  }

  get running(): number {
    return this.active
  }

  /** Resolves with the function that gives the slot back (calling it twice is harmless). */
  acquire(): Promise<Release> {
    if (this.active < this.max) {
      this.active += 1
      return Promise.resolve(this.releaser())
    }
    this.queued += 1
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  private releaser(): Release {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      // The slot passes straight to the next waiter, so `active` stays as it is.
      if (next !== undefined) next(this.releaser())
      else this.active -= 1
    }
  }
}
