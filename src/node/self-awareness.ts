import type { AwarenessReading } from '../actors/peer-actor.ts'
import * as awareness from '../detector/awareness.ts'
import type { NodeStatus } from '../transport/codec.ts'

/**
 * This node's Lifeguard local health awareness: the one owner of the score that the pure rules
 * in detector/awareness.ts compute. The evidence the node sees goes in (its own heartbeat's
 * lateness, answered probes, event-loop lag, suspicions nobody else shares); out come the
 * reading each peer actor takes before a step and the node's own status.
 */
export class SelfAwareness {
  private state = awareness.createAwareness()
  private readonly options: awareness.AwarenessOptions

  constructor(options: awareness.AwarenessOptions) {
    this.options = options
  }

  get score(): number {
    return this.state.score
  }

  /** This node's own heartbeat timer fired `lateByMs` after it was due. */
  ownHeartbeat(lateByMs: number, nowMs: number): void {
    this.state = awareness.onOwnHeartbeat(this.state, lateByMs, nowMs, this.options)
  }

  /** A direct probe was answered: this node's network and timers work. */
  probeAnswered(): void {
    this.state = awareness.onProbeAnswered(this.state, this.options)
  }

  eventLoopLag(lagMs: number): void {
    this.state = awareness.onEventLoopLag(this.state, lagMs, this.options)
  }

  /** This node suspects most of its subjects while no other observer agrees. */
  lonelySuspicions(): void {
    this.state = awareness.onLonelySuspicions(this.state, this.options)
  }

  /** Unhealthy once it withholds dead verdicts, degraded with any score, else healthy. */
  status(): NodeStatus {
    return awareness.withholdsDead(this.state, this.options) ? 'unhealthy' : this.state.score > 0 ? 'degraded' : 'healthy'
  }

  /**
   * What a peer actor reads before a step. `ownHeartbeatOverdue`: this node's own heartbeat
   * timer is overdue right now, i.e. the process is resuming (a resumed process reads its socket
   * backlog before its timers run); that, or the hold after a detected pause, makes it stalled.
   */
  reading(nowMs: number, ownHeartbeatOverdue: boolean): AwarenessReading {
    const a = this.state
    const stalled = nowMs < a.holdUntilMs || ownHeartbeatOverdue
    return { multiplier: awareness.timeoutMultiplier(a), withholdDead: awareness.withholdsDead(a, this.options), holdUntilMs: a.holdUntilMs, stalled }
  }
}
