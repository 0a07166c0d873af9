import type { Clock, Timer } from '../runtime/clock.ts'

/**
 * When this node sends its own heartbeat: every intervalMs, scheduled from the due time and not
 * from now, so the period does not drift; after a pause the missed beats are skipped instead of
 * sent in a burst. Each beat is told how late it fired (local health awareness's evidence).
 */
export class HeartbeatSchedule {
  private readonly clock: Clock
  private readonly intervalMs: number
  private readonly beat: (lateByMs: number, nowMs: number) => void
  private readonly isRunning: () => boolean
  private nextDueMs = 0
  private timer: Timer | undefined

  constructor(options: { clock: Clock; intervalMs: number; beat: (lateByMs: number, nowMs: number) => void; isRunning: () => boolean }) {
    this.clock = options.clock
    this.intervalMs = options.intervalMs
    this.beat = options.beat
    this.isRunning = options.isRunning
  }

  /** Beats now, then every interval. */
  start(): void {
    this.nextDueMs = this.clock.now()
    this.tick()
  }

  stop(): void {
    this.timer?.cancel()
  }

  /** How long past its due time the next beat is at `nowMs` (negative: not due yet). */
  overdueMs(nowMs: number): number {
    return nowMs - this.nextDueMs
  }

  private tick(): void {
    if (!this.isRunning()) return
    const now = this.clock.now()
    const lateByMs = Math.max(0, now - this.nextDueMs)
    this.beat(lateByMs, now)
    this.nextDueMs = lateByMs > this.intervalMs ? now + this.intervalMs : this.nextDueMs + this.intervalMs
    this.timer = this.clock.setTimeout(() => this.tick(), this.nextDueMs - now)
  }
}
