import type { Clock, Timer } from '../runtime/clock.ts'
import type { VirtualClock } from '../runtime/virtual-clock.ts'
import type { RunQueue } from './run-queue.ts'

/**
 * One simulated process's view of time, over the cluster's shared VirtualClock. It is how the
 * simulator applies process faults without touching the node's code:
 *
 * - pause (SIGSTOP, a GC stall, or one stall of a CPU-starved node): timers that come due while
 *   paused do not fire; on resume they fire late, in due order, each once (an interval that
 *   missed several periods fires once and re-arms from then, as Node's setInterval does). Actor
 *   work scheduled while paused waits for the resume too.
 * - drift: the node's clock runs at `rate` (1 + epsilon) relative to virtual time, both in what
 *   now() reads and in how long its timers take.
 * - kill (a crash): every timer and every scheduled task of this process is dropped, forever. A
 *   restarted node gets a new NodeClock.
 *
 * The network side of a pause (messages held in the socket buffers) is MemoryNetwork.setPaused.
 */
class NodeTimer implements Timer {
  readonly fn: () => void
  readonly periodMs: number | undefined
  /** What the base clock runs: made once per timer, not once per period of an interval. */
  readonly fire: () => void
  cancelled = false
  base: Timer | undefined
  /** Set by the NodeClock that made the timer (it knows the drift rate). */
  rescheduleBase: ((t: NodeTimer, delayMs: number) => boolean) | undefined

  constructor(fn: () => void, periodMs: number | undefined, fire: (t: NodeTimer) => void) {
    this.fn = fn
    this.periodMs = periodMs
    this.fire = () => fire(this)
  }

  cancel(): void {
    this.cancelled = true
    this.base?.cancel()
    this.base = undefined
  }

  reschedule(delayMs: number): boolean {
    return this.rescheduleBase?.(this, delayMs) ?? false
  }
}

export class NodeClock implements Clock {
  private readonly base: VirtualClock
  private readonly queue: RunQueue
  private rate: number
  /** now() = anchorLocalMs + (base.now() - anchorBaseMs) * rate */
  private anchorBaseMs: number
  private anchorLocalMs: number
  private pausedFlag = false
  private killed = false
  private deferredTimers: NodeTimer[] = []
  private deferredTasks: (() => void)[] = []

  constructor(base: VirtualClock, queue: RunQueue, rate = 1) {
    this.base = base
    this.queue = queue
    this.rate = rate
    this.anchorBaseMs = base.now()
    this.anchorLocalMs = base.now()
  }

  get paused(): boolean {
    return this.pausedFlag
  }

  get dead(): boolean {
    return this.killed
  }

  now(): number {
    if (this.rate === 1) return this.anchorLocalMs + (this.base.now() - this.anchorBaseMs)
    return this.anchorLocalMs + (this.base.now() - this.anchorBaseMs) * this.rate
  }

  setTimeout(fn: () => void, delayMs: number): Timer {
    const t = new NodeTimer(fn, undefined, this.fireTimer)
    t.rescheduleBase = this.rescheduleTimer
    this.arm(t, Math.max(0, delayMs))
    return t
  }

  setInterval(fn: () => void, periodMs: number): Timer {
    const period = Math.max(1, periodMs)
    const t = new NodeTimer(fn, period, this.fireTimer)
    this.arm(t, period)
    return t
  }

  /** The node's actor scheduler: the shared run queue, held while paused, dropped once killed. */
  readonly schedule = (task: () => void): void => {
    if (this.killed) return
    if (this.pausedFlag) this.deferredTasks.push(task)
    else this.queue.schedule(task)
  }

  /** Sets the drift rate from now on (1 = exact). Timers already armed keep their base deadline. */
  setRate(rate: number): void {
    this.anchorLocalMs = this.now()
    this.anchorBaseMs = this.base.now()
    this.rate = rate
  }

  pause(): void {
    if (this.killed) return
    this.pausedFlag = true
  }

  /** Resumes: the timers that came due while paused fire now, each on its own virtual tick. */
  resume(): void {
    if (this.killed || !this.pausedFlag) return
    this.pausedFlag = false
    const timers = this.deferredTimers
    const tasks = this.deferredTasks
    this.deferredTimers = []
    this.deferredTasks = []
    for (const t of timers) this.base.setTimeout(t.fire, 0)
    for (const task of tasks) this.queue.schedule(task)
  }

  kill(): void {
    this.killed = true
    this.deferredTimers = []
    this.deferredTasks = []
  }

  private arm(t: NodeTimer, delayMs: number): void {
    if (this.killed) return
    t.base = this.base.setTimeout(t.fire, this.rate === 1 ? delayMs : delayMs / this.rate)
  }

  /**
   * A pending timer moved in place: the base clock orders it as a new one (see
   * VirtualClock.reschedule). A timer held for a pause, fired or cancelled is not: the caller
   * sets a new one, which is the same thing.
   */
  private readonly rescheduleTimer = (t: NodeTimer, delayMs: number): boolean => {
    if (this.killed || t.cancelled || t.base?.reschedule === undefined) return false
    const d = Math.max(0, delayMs)
    return t.base.reschedule(this.rate === 1 ? d : d / this.rate)
  }

  private readonly fireTimer = (t: NodeTimer): void => {
    if (this.killed || t.cancelled) return
    t.base = undefined
    if (this.pausedFlag) {
      this.deferredTimers.push(t)
      return
    }
    // Re-arm an interval from now, before running it (so the callback may cancel it).
    if (t.periodMs !== undefined) this.arm(t, t.periodMs)
    t.fn()
  }
}
