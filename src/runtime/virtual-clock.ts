import type { Clock, Timer } from './clock.ts'

/**
 * A clock that only moves when told to. Tests and the simulator advance it; due timers run in
 * deadline order (ties in scheduling order), so a run is a pure function of its inputs.
 *
 * Timers live in a binary min-heap keyed by (dueMs, order): scheduling and cancelling are
 * O(log n), which matters when the simulator holds tens of thousands of detector deadlines.
 */
class Entry implements Timer {
  dueMs: number
  order: number
  readonly fn: () => void
  readonly periodMs: number | undefined
  cancelled = false
  /** Position in the heap; -1 while out of it (running, or popped). */
  index = -1
  private readonly clock: VirtualClock

  constructor(clock: VirtualClock, dueMs: number, order: number, fn: () => void, periodMs: number | undefined) {
    this.clock = clock
    this.dueMs = dueMs
    this.order = order
    this.fn = fn
    this.periodMs = periodMs
  }

  /** The entry is its own handle: no closure per timer (the simulator makes millions). */
  cancel(): void {
    this.cancelled = true
  }

  reschedule(delayMs: number): boolean {
    return this.clock.reschedule(this, delayMs)
  }
}

export class VirtualClock implements Clock {
  private nowMs: number
  private order = 0
  private readonly heap: Entry[] = []

  constructor(startMs = 1_700_000_000_000) {
    this.nowMs = startMs
  }

  now(): number {
    return this.nowMs
  }

  setTimeout(fn: () => void, delayMs: number): Timer {
    return this.schedule(fn, Math.max(0, delayMs), undefined)
  }

  setInterval(fn: () => void, periodMs: number): Timer {
    const period = Math.max(1, periodMs)
    return this.schedule(fn, period, period)
  }

  /** Number of timers not yet run or cancelled (cancelled ones are dropped lazily). */
  get pending(): number {
    return this.heap.reduce((n, e) => n + (e.cancelled ? 0 : 1), 0)
  }

  /** The due time of the next live timer, or undefined when none is scheduled. */
  nextDueMs(): number | undefined {
    this.dropCancelledTop()
    return this.heap[0]?.dueMs
  }

  /** Runs every timer due at or before now + deltaMs, then sets the time to now + deltaMs. */
  advance(deltaMs: number): void {
    this.advanceTo(this.nowMs + Math.max(0, deltaMs))
  }

  /**
   * Runs every timer due at or before `targetMs` in order, moving the time to each deadline.
   * `afterEach` runs after every timer callback (the simulator drains its actor run queue there,
   * so a timer's consequences happen at the timer's virtual time).
   */
  advanceTo(targetMs: number, afterEach?: () => void): void {
    for (;;) {
      this.dropCancelledTop()
      const top = this.heap[0]
      if (top === undefined || top.dueMs > targetMs) break
      this.pop()
      this.nowMs = Math.max(this.nowMs, top.dueMs)
      if (top.periodMs !== undefined) {
        top.dueMs += top.periodMs
        top.order = this.order++
        this.push(top)
      }
      top.fn()
      afterEach?.()
    }
    this.nowMs = Math.max(this.nowMs, targetMs)
  }

  /** Runs the next due timer (moving time to it); returns false when none is scheduled. */
  step(): boolean {
    const due = this.nextDueMs()
    if (due === undefined) return false
    this.advanceTo(due)
    return true
  }

  /**
   * Moves a pending one-shot timer to `delayMs` from now, exactly as cancelling it and setting a
   * new one would order it (it takes the next scheduling order), without leaving a cancelled
   * entry in the heap: a peer actor moves its check at every heartbeat. False when the timer
   * ran, was cancelled or repeats.
   */
  reschedule(entry: Entry, delayMs: number): boolean {
    if (entry.index < 0 || entry.cancelled || entry.periodMs !== undefined) return false
    const wasDueMs = entry.dueMs
    entry.dueMs = this.nowMs + Math.max(0, delayMs)
    entry.order = this.order++
    // The new order is above every other, so an equal deadline sorts later: down.
    if (entry.dueMs < wasDueMs) this.siftUp(entry, entry.index)
    else this.siftDown(entry, entry.index)
    return true
  }

  private schedule(fn: () => void, delayMs: number, periodMs: number | undefined): Timer {
    const entry = new Entry(this, this.nowMs + delayMs, this.order++, fn, periodMs)
    this.push(entry)
    return entry
  }

  private dropCancelledTop(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop()
  }

  private less(a: Entry, b: Entry): boolean {
    return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.order < b.order)
  }

  // Sifting moves a hole instead of swapping pairs: one write per level, no temporary arrays
  // (the simulator pushes and pops millions of timers). Every entry's (dueMs, order) is unique,
  // so the order timers run in does not depend on the heap's layout.
  private push(entry: Entry): void {
    this.heap.push(entry)
    this.siftUp(entry, this.heap.length - 1)
  }

  private pop(): Entry | undefined {
    const h = this.heap
    const top = h[0]
    const last = h.pop()
    if (top !== undefined) top.index = -1
    if (h.length > 0 && last !== undefined) this.siftDown(last, 0)
    return top
  }

  /** Places `entry` at hole `i` or above it. */
  private siftUp(entry: Entry, i: number): void {
    const h = this.heap
    while (i > 0) {
      const parent = (i - 1) >> 1
      const p = h[parent]!
      if (!this.less(entry, p)) break
      h[i] = p
      p.index = i
      i = parent
    }
    h[i] = entry
    entry.index = i
  }

  /** Places `entry` at hole `i` or below it. */
  private siftDown(entry: Entry, i: number): void {
    const h = this.heap
    const n = h.length
    for (;;) {
      const l = 2 * i + 1
      if (l >= n) break
      const r = l + 1
      const c = r < n && this.less(h[r]!, h[l]!) ? r : l
      const child = h[c]!
      if (!this.less(child, entry)) break
      h[i] = child
      child.index = i
      i = c
    }
    h[i] = entry
    entry.index = i
  }
}
