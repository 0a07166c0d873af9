/**
 * In-process callbacks for library users (`onAlert(listener)`): every listener gets every event,
 * in registration order. A listener that throws or returns a rejected promise is caught and
 * counted; it never reaches the alerting core, and the other listeners still run. Listeners may
 * subscribe before the agent starts.
 */
export type Listener<T> = (event: T) => void | Promise<void>

export const LISTENERS_MAX = 100

export class CallbackDispatcher<T> {
  private readonly listeners: Listener<T>[] = []
  /** Listener calls that threw or rejected. */
  errors = 0
  dispatched = 0
  private readonly onError: (error: unknown) => void

  constructor(onError: (error: unknown) => void = () => {}) {
    this.onError = onError
  }

  /** Adds a listener; returns the function that removes it. Throws past LISTENERS_MAX (a leak). */
  on(listener: Listener<T>): () => void {
    if (this.listeners.length >= LISTENERS_MAX) throw new RangeError(`at most ${LISTENERS_MAX} alert listeners`)
    this.listeners.push(listener)
    return () => {
      const i = this.listeners.indexOf(listener)
      if (i !== -1) this.listeners.splice(i, 1)
    }
  }

  get size(): number {
    return this.listeners.length
  }

  dispatch(event: T): void {
    this.dispatched++
    for (const listener of [...this.listeners]) this.dispatchTo(listener, event)
  }

  /** Calls one listener the safe way (also for a caller that deferred the call). */
  dispatchTo(listener: Listener<T>, event: T): void {
    try {
      const result = listener(event)
      if (result instanceof Promise) result.catch((error: unknown) => this.fail(error))
    } catch (error) {
      this.fail(error)
    }
  }

  private fail(error: unknown): void {
    this.errors++
    try {
      this.onError(error)
    } catch {
      // the error reporter itself failed: already counted
    }
  }
}
