import { Mailbox } from './mailbox.ts'

/** What an actor knows about itself; handed to its behaviour's factory. */
export interface ActorContext {
  readonly name: string
}

/** An actor's logic and private state. One message at a time; a returned promise is awaited. */
export interface Behaviour<M> {
  receive(message: M): void | Promise<void>
  /** Releases timers and the like; called when the actor is parked (see CellHooks.park). */
  dispose?(): void
}

export interface ActorStats {
  /** Messages whose receive completed without throwing. */
  processed: number
  /** Messages lost: mailbox full, sent after stop, discarded by stop, or whose receive threw. */
  dropped: number
  /** Times the behaviour was recreated after a failure. */
  restarts: number
  /** Messages waiting in the mailbox. */
  queued: number
}

/** The only handle others get to an actor: they can send to it, never touch its state. */
export interface ActorRef<M> {
  readonly name: string
  /** Enqueues; false when dropped (mailbox full, or the actor stopped). Never runs the receive inline. */
  send(message: M): boolean
  /** Refuses further messages, discards queued ones, resolves once the in-flight one finishes. */
  stop(): Promise<void>
  readonly stats: ActorStats
}

/** How a cell consults and informs its supervisor. */
export interface CellHooks {
  /** A receive failed: may the behaviour be recreated (the restart budget allows it)? */
  allowRestart(): boolean
  /** The outcome of a failure. */
  failed(error: unknown, action: 'restarted' | 'stopped'): void
  /** Messages were dropped (for the supervisor's totals). */
  dropped(count: number): void
  /** The cell stopped, by stop() or after failing too often; called once. */
  stopped(): void
  /**
   * Out of restart budget: true parks the cell instead of stopping it (the supervisor revives it
   * later with revive()); false (or absent) stops it for good.
   */
  park?(): boolean
}

/**
 * Messages handled back to back before the loop yields to other microtasks, so one busy actor
 * (or two that ping-pong) cannot starve the others: Akka's dispatcher "throughput" setting.
 */
const THROUGHPUT = 64

/**
 * Runs a task later, never inside the caller: how a cell starts (and resumes) processing. The
 * default is queueMicrotask. The simulator passes a synchronous run queue that it drains after
 * each virtual timer, so thousands of nodes need no trip through the microtask queue per message.
 */
export type Scheduler = (task: () => void) => void

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * The actor cell: a mailbox, the current behaviour, and the loop that feeds one to the other.
 *
 * - Processing is started through the scheduler (queueMicrotask by default), never inside send(),
 *   so sending from within a receive (even to oneself) is not re-entrant: the message waits for
 *   the current one to end.
 * - At most one loop runs per cell. Synchronous receives are handled back to back without any
 *   promise; a receive that returns a promise is awaited before the next message, so async
 *   handlers never interleave and messages are handled in arrival order.
 * - A receive that throws or rejects drops that message; the supervisor then decides between a
 *   fresh behaviour from the factory (a restart) and stopping the actor.
 */
export class ActorCell<M> implements ActorRef<M> {
  readonly name: string
  private readonly mailbox: Mailbox<M>
  private readonly factory: (context: ActorContext) => Behaviour<M>
  private readonly hooks: CellHooks
  private readonly context: ActorContext
  private behaviour: Behaviour<M>
  private readonly schedule: Scheduler
  private halted = false
  /** Out of restart budget, waiting to be revived: refuses and counts sends, handles nothing. */
  private parkedState = false
  private running = false
  /** Settles when the async receive in flight (if any) has finished and the loop moved on. */
  private inflight: Promise<void> | undefined
  private processedCount = 0
  private restartCount = 0
  /** Drops other than a full mailbox (which the mailbox counts itself). */
  private otherDropped = 0
  private readonly runTask = (): void => this.run()

  /** Calls the factory once; if it throws, so does the constructor (the spawn fails). */
  constructor(name: string, mailboxLengthMax: number, factory: (context: ActorContext) => Behaviour<M>, hooks: CellHooks, schedule: Scheduler = queueMicrotask) {
    this.name = name
    this.mailbox = new Mailbox<M>(mailboxLengthMax)
    this.factory = factory
    this.hooks = hooks
    this.schedule = schedule
    this.context = Object.freeze({ name })
    this.behaviour = factory(this.context)
  }

  get stats(): ActorStats {
    return {
      processed: this.processedCount,
      dropped: this.mailbox.dropped + this.otherDropped,
      restarts: this.restartCount,
      queued: this.mailbox.length
    }
  }

  get stopped(): boolean {
    return this.halted
  }

  /** Parked after its restart budget ran out, until revive(). */
  get parked(): boolean {
    return this.parkedState && !this.halted
  }

  /**
   * Brings a parked cell back with a fresh behaviour from the factory. False when it is not
   * parked, or when the factory throws (then it stays parked and the error is returned to the
   * supervisor as `error`).
   */
  revive(): { ok: true } | { ok: false; error?: unknown } {
    if (!this.parked) return { ok: false }
    try {
      this.behaviour = this.factory(this.context)
    } catch (error) {
      return { ok: false, error }
    }
    this.parkedState = false
    this.restartCount++
    return { ok: true }
  }

  send(message: M): boolean {
    const refused = this.halted || this.parkedState
    if (refused || !this.mailbox.offer(message)) {
      if (refused) this.otherDropped++
      this.hooks.dropped(1)
      return false
    }
    if (!this.running) {
      this.running = true
      this.schedule(this.runTask)
    }
    return true
  }

  /**
   * Idempotent. Do not await it from inside this actor's own async receive: it waits for that
   * very receive to finish (call it without awaiting instead).
   */
  stop(): Promise<void> {
    this.halt()
    return this.inflight ?? Promise.resolve()
  }

  private halt(): void {
    if (this.halted) return
    this.halted = true
    const discarded = this.mailbox.clear()
    if (discarded > 0) this.hooks.dropped(discarded)
    this.hooks.stopped()
  }

  /** Out of budget but to be revived: drop the queue and the behaviour's timers, keep the ref valid. */
  private park(): void {
    this.parkedState = true
    const discarded = this.mailbox.clear()
    if (discarded > 0) this.hooks.dropped(discarded)
    try {
      this.behaviour.dispose?.()
    } catch {
      // A failing dispose is one more symptom of the failure already being handled.
    }
  }

  /**
   * The loop: handles queued messages until the mailbox is empty, THROUGHPUT of them at most
   * before it yields (reschedules itself), or until a receive returns a promise (then the async
   * continuation below takes over). Never throws: every failure is handled in fail().
   */
  private run(): void {
    let batch = 0
    while (!this.halted && !this.parkedState && this.mailbox.length > 0) {
      if (++batch > THROUGHPUT) {
        this.schedule(this.runTask)
        return
      }
      const message = this.mailbox.take() as M
      let result: void | Promise<void>
      try {
        result = this.behaviour.receive(message)
      } catch (error) {
        this.fail(error)
        continue
      }
      if (isPromiseLike(result)) {
        this.inflight = this.finish(result)
        return
      }
      this.processedCount++
    }
    this.running = false
  }

  /** Awaits an async receive, then carries on with the loop. Never rejects. */
  private async finish(result: PromiseLike<unknown>): Promise<void> {
    try {
      await result
      this.processedCount++
    } catch (error) {
      this.fail(error)
    }
    this.inflight = undefined
    this.run()
  }

  private fail(error: unknown): void {
    this.otherDropped++
    this.hooks.dropped(1)
    // Stopped while the receive was in flight: the actor is gone, there is nothing to restart.
    if (this.halted) return
    let cause = error
    for (;;) {
      if (!this.hooks.allowRestart()) {
        if (this.hooks.park?.() === true) this.park()
        else this.halt()
        this.hooks.failed(cause, 'stopped')
        return
      }
      try {
        this.behaviour = this.factory(this.context)
        this.restartCount++
        this.hooks.failed(cause, 'restarted')
        return
      } catch (factoryError) {
        // A factory that throws is one more failure, charged to the same restart budget.
        cause = factoryError
      }
    }
  }
}
