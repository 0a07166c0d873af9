import { SingleBar, Presets } from 'cli-progress'
import { systemClock } from '../runtime/clock.ts'

/**
 * Progress on stderr for runs longer than a few seconds of wall time: a bar when stderr is a
 * terminal, else one line every 10 s. Wall time is read here only (through the runtime's system
 * clock) and never reaches the simulation.
 */
export class Progress {
  private readonly clock = systemClock()
  private readonly startedMs = this.clock.now()
  private readonly label: string
  private readonly totalMs: number
  private bar: SingleBar | undefined
  private lastLineMs = 0
  private readonly enabled: boolean

  constructor(label: string, totalVirtualMs: number, enabled = true) {
    this.label = label
    this.totalMs = totalVirtualMs
    this.enabled = enabled
  }

  /** Wall ms since this progress started. */
  elapsedMs(): number {
    return this.clock.now() - this.startedMs
  }

  update(virtualMs: number, phase = 'run'): void {
    if (!this.enabled) return
    const elapsed = this.elapsedMs()
    if (elapsed < 3000) return
    const done = Math.min(this.totalMs, Math.max(0, virtualMs))
    if (process.stderr.isTTY) {
      if (this.bar === undefined) {
        this.bar = new SingleBar({ format: `${this.label} [{bar}] {percentage}% | {virtual}/{total} virtual s | {phase} | {wall}s wall`, stream: process.stderr, hideCursor: true }, Presets.shades_classic)
        this.bar.start(this.totalMs, 0, { virtual: '0', total: (this.totalMs / 1000).toFixed(0), phase, wall: '0' })
      }
      this.bar.update(done, { virtual: (done / 1000).toFixed(0), phase, wall: (elapsed / 1000).toFixed(0) })
    } else if (elapsed - this.lastLineMs >= 10_000) {
      this.lastLineMs = elapsed
      process.stderr.write(`${this.label}: ${(100 * done / this.totalMs).toFixed(0)}% (${(done / 1000).toFixed(0)} of ${(this.totalMs / 1000).toFixed(0)} virtual s, ${phase}) after ${(elapsed / 1000).toFixed(0)} s\n`)
    }
  }

  stop(): void {
    this.bar?.stop()
    this.bar = undefined
  }
}
