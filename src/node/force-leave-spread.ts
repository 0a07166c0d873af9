import type { Clock, Timer } from '../runtime/clock.ts'
import type { Random } from '../runtime/random.ts'

/**
 * Keeps a cluster force-leave spreading. Gossip is fire and forget: a member that missed the
 * force-leave message (partitioned at that moment, or joining later: it learns the member from a
 * digest as dead hearsay, see trust.ts) would keep it dead for the reap time, and alert about it.
 * So a node that holds members force-left (it issued the force-leave or took one) sends the
 * force-leaves again: a few seconds after taking one, a while after a member joins (once the
 * joiner holds the member dead, the only state in which it takes a force-leave), and then every
 * RESEND_INTERVAL_MS (± a quarter) while it holds any. At most RESEND_PER_ROUND per round,
 * rotating, under the receivers' per-sender rate limit.
 *
 * Nothing is scheduled while no member is force-left, so runs without force-leaves (every
 * simulator scenario) are unchanged.
 */
export interface ForceLeaveSpreadDeps {
  clock: Clock
  random: Random
  /** Whether `id` is still force-left here (left, not by its own signed leave, not reaped). */
  stillForceLeft(id: string): boolean
  /** The subject's incarnation as held here, for the message. */
  incarnationOf(id: string): number | undefined
  publish(subject: string, subjectIncarnation: number): void
  isRunning(): boolean
}

const RESEND_INTERVAL_MS = 60_000
const RESEND_PER_ROUND = 8
/** Tracked subjects; past it the oldest is forgotten (it still holds here, it is only not resent). */
const TRACKED_MAX = 1024
const AFTER_TAKEN_MS = 3000
/** After a join: the joiner first has to hold the member dead (suspicion and probe). */
const AFTER_JOIN_MS = 15_000

export class ForceLeaveSpread {
  private readonly deps: ForceLeaveSpreadDeps
  private readonly subjects = new Set<string>()
  private timer: Timer | undefined
  private dueMs = Infinity
  private offset = 0
  /** Force-leaves sent again (not counting the first). */
  resent = 0

  constructor(deps: ForceLeaveSpreadDeps) {
    this.deps = deps
  }

  /** A member was force-left here (issued or taken): resend soon. */
  taken(id: string): void {
    this.subjects.delete(id)
    if (this.subjects.size >= TRACKED_MAX) {
      const oldest = this.subjects.values().next().value
      if (oldest !== undefined) this.subjects.delete(oldest)
    }
    this.subjects.add(id)
    this.scheduleWithin(AFTER_TAKEN_MS)
  }

  memberJoined(): void {
    if (this.subjects.size === 0) return
    this.scheduleWithin(AFTER_JOIN_MS)
  }

  stop(): void {
    this.timer?.cancel()
    this.timer = undefined
    this.dueMs = Infinity
  }

  get tracked(): number {
    return this.subjects.size
  }

  /** Schedules a round in base..1.5 × base, unless one is already due sooner. */
  private scheduleWithin(baseMs: number): void {
    if (!this.deps.isRunning()) return
    const delay = baseMs * (1 + 0.5 * this.deps.random.next())
    const now = this.deps.clock.now()
    if (now + delay >= this.dueMs) return
    this.timer?.cancel()
    this.dueMs = now + delay
    this.timer = this.deps.clock.setTimeout(() => this.round(), delay)
  }

  private round(): void {
    this.timer = undefined
    this.dueMs = Infinity
    if (!this.deps.isRunning()) return
    for (const id of this.subjects) if (!this.deps.stillForceLeft(id)) this.subjects.delete(id)
    const ids = [...this.subjects]
    if (ids.length === 0) return
    const start = this.offset % ids.length
    const count = Math.min(ids.length, RESEND_PER_ROUND)
    for (let i = 0; i < count; i++) {
      const id = ids[(start + i) % ids.length]!
      const incarnation = this.deps.incarnationOf(id)
      if (incarnation === undefined) continue
      this.deps.publish(id, incarnation)
      this.resent++
    }
    this.offset = (start + count) % ids.length
    this.scheduleWithin(RESEND_INTERVAL_MS * 0.75)
  }
}
