import type { Clock } from '../runtime/clock.ts'
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
}

export interface SupervisorStats {
  /** Actors running now. */
  actors: number
  /** Restarts so far, over all actors. */
  restarts: number
  /** Messages dropped so far, over all actors (see ActorStats.dropped). */
  dropped: number
  /** Actors stopped because they failed more than restartsMax times in the window. */
  stopped: number
}

/**
 * Owns a set of named actors and restarts the ones that fail ("let it crash", Erlang/OTP): a
 * failing actor gets a fresh behaviour from its factory and carries on with its next message, so
 * one peer's bad data never takes the daemon down. A stopped actor leaves the registry, and its
 * name can be spawned again.
 */
export class Supervisor {
  private readonly options: SupervisorOptions
  private readonly cells = new Map<string, ActorCell<unknown>>()
  private restartsTotal = 0
  private droppedTotal = 0
  private stoppedTotal = 0

  constructor(options: SupervisorOptions) {
    const { mailboxLengthMax, restartsMax, restartWindowMs } = options
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
        if (this.cells.get(name) === cell) this.cells.delete(name)
      }
    }, this.options.schedule)
    this.cells.set(name, cell)
    return cell
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
    await Promise.all([...this.cells.values()].map((cell) => cell.stop()))
  }

  get stats(): SupervisorStats {
    return { actors: this.cells.size, restarts: this.restartsTotal, dropped: this.droppedTotal, stopped: this.stoppedTotal }
  }
}
