import type { Clock, Timer } from './clock.ts'

/**
 * A clock that only moves when told to. Tests and the simulator advance it; due timers run in
 * deadline order (ties in scheduling order), so a run is a pure function of its inputs.
 *
 * Timers live in a 4-ary min-heap keyed by (dueMs, order): scheduling and cancelling are
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
  /** (dueMs, order) of heap[i] at keys[2i], keys[2i + 1] (see push). */
  private keys = new Float64Array(512)

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

  // A 4-ary heap whose keys sit in one Float64Array beside it, (dueMs, order) per slot: a node's
  // four children's keys are 64 contiguous bytes, so choosing the least child reads one cache
  // line instead of four timer objects, and the heap is half as deep. The simulator's heap holds
  // tens of thousands of timers (every message in flight is one) and pops millions; walking
  // a binary heap of Entry objects was its single largest cost. Sifting moves a hole instead of
  // swapping pairs: one write per level. Every entry's (dueMs, order) is unique, so the order
  // timers run in does not depend on the heap's shape.
  private push(entry: Entry): void {
    const i = this.heap.length
    this.heap.push(entry)
    if (2 * i + 2 > this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2)
      grown.set(this.keys)
      this.keys = grown
    }
    this.siftUp(entry, i)
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
    const keys = this.keys
    const d = entry.dueMs
    const o = entry.order
    while (i > 0) {
      const parent = (i - 1) >> 2
      const pd = keys[2 * parent]!
      const po = keys[2 * parent + 1]!
      if (!(d < pd || (d === pd && o < po))) break
      const p = h[parent]!
      h[i] = p
      p.index = i
      keys[2 * i] = pd
      keys[2 * i + 1] = po
      i = parent
    }
    h[i] = entry
    entry.index = i
    keys[2 * i] = d
    keys[2 * i + 1] = o
  }

  /** Places `entry` at hole `i` or below it. */
  private siftDown(entry: Entry, i: number): void {
    const h = this.heap
    const keys = this.keys
    const n = h.length
    const d = entry.dueMs
    const o = entry.order
    for (;;) {
      const first = 4 * i + 1
      if (first >= n) break
      let c = first
      let cd = keys[2 * first]!
      let co = keys[2 * first + 1]!
      const end = Math.min(first + 4, n)
      for (let j = first + 1; j < end; j++) {
        const jd = keys[2 * j]!
        const jo = keys[2 * j + 1]!
        if (jd < cd || (jd === cd && jo < co)) {
          c = j
          cd = jd
          co = jo
        }
      }
      if (!(cd < d || (cd === d && co < o))) break
      const child = h[c]!
      h[i] = child
      child.index = i
      keys[2 * i] = cd
      keys[2 * i + 1] = co
      i = c
    }
    h[i] = entry
    entry.index = i
    keys[2 * i] = d
    keys[2 * i + 1] = o
  }
}
