import type { Clock, Timer } from '../runtime/clock.ts'
import { ActorCell, type ActorContext, type ActorRef, type Behaviour, type Scheduler } from './actor.ts'

export interface SupervisorOptions {
  /** Limit: messages each actor's mailbox holds; further sends are dropped and counted. */
  mailboxLengthMax: number
  /**
   * Restarts allowed per actor within restartWindowMs (Erlang/OTP's intensity and period, Akka's
   * maxNrOfRetries and withinTimeRange). The next failure inside the window stops the actor: a
   * behaviour that fails on every message would otherwise spin, and its owner should know. 0
   * stops an actor at its first failure.
   */
  restartsMax: number
  restartWindowMs: number
  /** Measures the restart window (virtual in tests and the simulator). */
  clock: Clock
  /**
   * Told of every failure and what was done about it. Called synchronously from the failing
   * actor's loop; an exception it throws is swallowed so that reporting cannot kill the loop.
   */
  onFailure?: (name: string, error: unknown, action: 'restarted' | 'stopped') => void
  /**
   * How actors start processing their mailboxes (see Scheduler in actor.ts). Default
   * queueMicrotask; the simulator passes its synchronous run queue.
   */
  schedule?: Scheduler
  /**
   * Revival of actors stopped by their restart budget: when set, such an actor is parked (its
   * ref stays valid, sends are refused and counted) and brought back with a fresh behaviour after
   * this cooldown, which doubles on each further stop up to reviveAfterMsMax and starts again from
   * here once the actor has run for reviveAfterMsMax without being stopped. Absent: the actor
   * stays stopped and leaves the registry (the owner must spawn it again).
   */
  reviveAfterMsMin?: number
  /** The longest cooldown; default 10 x reviveAfterMsMin. */
  reviveAfterMsMax?: number
  /** Told when a parked actor comes back (after `cooldownMs`) or fails to (its factory threw). */
  onRevive?: (name: string, outcome: 'revived' | 'failed', cooldownMs: number, error?: unknown) => void
}

export interface SupervisorStats {
  /** Actors running now. */
  actors: number
  /** Restarts so far, over all actors. */
  restarts: number
  /** Messages dropped so far, over all actors (see ActorStats.dropped). */
  dropped: number
  /** Actors stopped because they failed more than restartsMax times in the window (a total). */
  stopped: number
  /** Actors parked now, out of restart budget and waiting for their cooldown (with revival on). */
  parked: number
  /** Parked actors brought back so far. */
  revived: number
}

/** One actor's revival state, kept across its parkings. */
interface Revival {
  cooldownMs: number
  /** When it was last revived (or spawned): a long run since resets the cooldown. */
  sinceMs: number
  timer: Timer | undefined
}

/**
 * Owns a set of named actors and restarts the ones that fail ("let it crash", Erlang/OTP): a
 * failing actor gets a fresh behaviour from its factory and carries on with its next message, so
 * one peer's bad data never takes the daemon down. An actor out of restart budget is parked and
 * revived after a cooldown when reviveAfterMsMin is set; otherwise, and after stop(), it leaves
 * the registry and its name can be spawned again.
 */
export class Supervisor {
  private readonly options: SupervisorOptions
  private readonly cells = new Map<string, ActorCell<unknown>>()
  private restartsTotal = 0
  private droppedTotal = 0
  private stoppedTotal = 0
  private revivedTotal = 0
  private readonly revivals = new Map<string, Revival>()

  constructor(options: SupervisorOptions) {
    const { mailboxLengthMax, restartsMax, restartWindowMs, reviveAfterMsMin, reviveAfterMsMax } = options
    if (reviveAfterMsMin !== undefined && !(reviveAfterMsMin > 0)) throw new RangeError(`reviveAfterMsMin must be > 0, got ${reviveAfterMsMin}`)
    if (reviveAfterMsMax !== undefined && !(reviveAfterMsMax >= (reviveAfterMsMin ?? 0))) throw new RangeError(`reviveAfterMsMax must be >= reviveAfterMsMin, got ${reviveAfterMsMax}`)
    if (!Number.isInteger(mailboxLengthMax) || mailboxLengthMax < 1) throw new RangeError(`mailboxLengthMax must be an integer >= 1, got ${mailboxLengthMax}`)
    if (!Number.isInteger(restartsMax) || restartsMax < 0) throw new RangeError(`restartsMax must be an integer >= 0, got ${restartsMax}`)
    if (!(restartWindowMs >= 0)) throw new RangeError(`restartWindowMs must be >= 0, got ${restartWindowMs}`)
    this.options = options
  }

  /**
   * Starts an actor. The factory is called now and again on every restart, so each restart
   * begins from fresh state; state meant to survive restarts belongs in the factory's closure.
   * Throws if `name` is taken by a running actor, or if the factory throws.
   */
  spawn<M>(name: string, factory: (context: ActorContext) => Behaviour<M>): ActorRef<M> {
    if (this.cells.has(name)) throw new Error(`spawn: an actor named "${name}" is already running`)
    const { clock, restartsMax, restartWindowMs, onFailure } = this.options
    // Times of this actor's restarts inside the window; never more than restartsMax entries.
    const restartTimes: number[] = []
    const revives = this.options.reviveAfterMsMin !== undefined
    const cell: ActorCell<M> = new ActorCell<M>(name, this.options.mailboxLengthMax, factory, {
      allowRestart: () => {
        const now = clock.now()
        while (restartTimes.length > 0 && restartTimes[0]! <= now - restartWindowMs) restartTimes.shift()
        if (restartTimes.length >= restartsMax) return false
        restartTimes.push(now)
        return true
      },
      failed: (error, action) => {
        if (action === 'restarted') this.restartsTotal++
        else this.stoppedTotal++
        try {
          onFailure?.(name, error, action)
        } catch {
          // Reporting must not break the actor loop; the failure itself is already counted.
        }
      },
      dropped: (count) => {
        this.droppedTotal += count
      },
      stopped: () => {
        if (this.cells.get(name) === cell) {
          this.cells.delete(name)
          this.revivals.get(name)?.timer?.cancel()
          this.revivals.delete(name)
        }
      },
      park: () => {
        if (!revives) return false
        this.scheduleRevival(name, cell, restartTimes)
        return true
      }
    }, this.options.schedule)
    this.cells.set(name, cell)
    return cell
  }

  /**
   * Parks `cell` for its cooldown, then revives it with an empty restart window. The cooldown
   * doubles on every parking unless the actor ran for reviveAfterMsMax since its last revival.
   */
  private scheduleRevival(name: string, cell: ActorCell<unknown>, restartTimes: number[]): void {
    const { clock, onRevive } = this.options
    const min = this.options.reviveAfterMsMin!
    const max = this.options.reviveAfterMsMax ?? 10 * min
    const now = clock.now()
    let revival = this.revivals.get(name)
    if (revival === undefined || now - revival.sinceMs >= max) {
      revival = { cooldownMs: min, sinceMs: now, timer: undefined }
      this.revivals.set(name, revival)
    } else if (revival.timer === undefined) {
      revival.cooldownMs = Math.min(max, revival.cooldownMs * 2)
    }
    const entry = revival
    const cooldownMs = entry.cooldownMs
    entry.timer?.cancel()
    entry.timer = clock.setTimeout(() => {
      entry.timer = undefined
      if (this.cells.get(name) !== cell || !cell.parked) return
      restartTimes.length = 0
      const outcome = cell.revive()
      const report = (result: 'revived' | 'failed', error?: unknown): void => {
        try {
          onRevive?.(name, result, cooldownMs, error)
        } catch {
          // Reporting must not stop revivals.
        }
      }
      if (outcome.ok) {
        this.revivedTotal++
        entry.sinceMs = clock.now()
        report('revived')
        return
      }
      // The factory threw: still parked; try again after a doubled cooldown.
      report('failed', outcome.error)
      this.scheduleRevival(name, cell, restartTimes)
    }, cooldownMs)
  }

  get(name: string): ActorRef<unknown> | undefined {
    return this.cells.get(name)
  }

  /** Names of the running actors, in spawn order. */
  names(): string[] {
    return [...this.cells.keys()]
  }

  /** Stops one actor (see ActorRef.stop); resolves at once for an unknown name. */
  stop(name: string): Promise<void> {
    return this.cells.get(name)?.stop() ?? Promise.resolve()
  }

  /** Stops every actor at once and resolves when all in-flight messages have finished. */
  async stopAll(): Promise<void> {
    for (const revival of this.revivals.values()) revival.timer?.cancel()
    this.revivals.clear()
    await Promise.all([...this.cells.values()].map((cell) => cell.stop()))
  }

  /** Actors parked now (out of restart budget, waiting to be revived). */
  parkedCount(): number {
    let n = 0
    for (const cell of this.cells.values()) if (cell.parked) n++
    return n
  }

  get stats(): SupervisorStats {
    const parked = this.parkedCount()
    return { actors: this.cells.size - parked, restarts: this.restartsTotal, dropped: this.droppedTotal, stopped: this.stoppedTotal, parked, revived: this.revivedTotal }
  }
}
