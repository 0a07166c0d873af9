/**
 * Local health awareness (Lifeguard, Dadgar et al. 2018, §4.1; memberlist's awareness.go).
 * A node that is itself slow (CPU-starved, paused, event loop lagging) sees everyone else's
 * heartbeats late and would wrongly suspect healthy peers. So it keeps a score of its own health:
 * evidence of local trouble raises it, timely rounds lower it, and its detection timeouts are
 * multiplied by (1 + score). At `withholdDeadAt` or above it stops declaring anyone dead.
 *
 * A pure value: functions return a new state.
 */
export interface AwarenessOptions {
  heartbeatIntervalMs: number
  awarenessMax: number
  eventLoopLagMsMax: number
}

export interface AwarenessState {
  score: number
  /**
   * Until this time, verdicts are held back: the process was just paused (its own timer fired
   * far too late), and messages that arrived while it was stopped still sit in socket buffers.
   * Judging peers before reading them would condemn everyone.
   */
  holdUntilMs: number
}

export function createAwareness(): AwarenessState {
  return { score: 0, holdUntilMs: 0 }
}

function clampScore(score: number, options: AwarenessOptions): number {
  return Math.min(options.awarenessMax, Math.max(0, score))
}

/**
 * This node's own heartbeat timer fired `lateByMs` after it was due. Late by more than half an
 * interval counts against local health (by one per interval of lateness); on time heals by one.
 * Late by more than a whole interval means the process was paused: hold verdicts for two
 * intervals while the backlog is read.
 */
export function onOwnHeartbeat(state: AwarenessState, lateByMs: number, nowMs: number, options: AwarenessOptions): AwarenessState {
  const interval = options.heartbeatIntervalMs
  if (lateByMs <= interval / 2) return { ...state, score: clampScore(state.score - 1, options) }
  const penalty = Math.max(1, Math.ceil(lateByMs / interval))
  const holdUntilMs = lateByMs > interval ? Math.max(state.holdUntilMs, nowMs + 2 * interval) : state.holdUntilMs
  return { score: clampScore(state.score + penalty, options), holdUntilMs }
}

/**
 * A direct probe this node sent was answered: its own network and CPU work (memberlist lowers
 * its awareness by one per successful probe). Recovery after a stall is so faster than one
 * heartbeat interval per point when the node is probing.
 */
export function onProbeAnswered(state: AwarenessState, options: AwarenessOptions): AwarenessState {
  return { ...state, score: clampScore(state.score - 1, options) }
}

/** The event loop's worst delay over the last sampling period. */
export function onEventLoopLag(state: AwarenessState, lagMs: number, options: AwarenessOptions): AwarenessState {
  if (lagMs <= options.eventLoopLagMsMax) return state
  return { ...state, score: clampScore(state.score + 1, options) }
}

/**
 * This node suspects most of its subjects while no other observer agrees (Lifeguard's
 * "refuted suspicions" signal, seen from the events topic): the fault is far more likely its own
 * links or CPU than a simultaneous failure of every peer it watches.
 */
export function onLonelySuspicions(state: AwarenessState, options: AwarenessOptions): AwarenessState {
  return { ...state, score: clampScore(state.score + 1, options) }
}

/** Factor applied to detection timeouts. */
export function timeoutMultiplier(state: AwarenessState): number {
  return 1 + state.score
}

/** Score at or above which dead verdicts are withheld: half the maximum, at least 1. */
export function withholdDeadAt(options: AwarenessOptions): number {
  return Math.max(1, Math.ceil(options.awarenessMax / 2))
}

export function withholdsDead(state: AwarenessState, options: AwarenessOptions): boolean {
  return options.awarenessMax > 0 && state.score >= withholdDeadAt(options)
}

export function holdsVerdicts(state: AwarenessState, nowMs: number): boolean {
  return nowMs < state.holdUntilMs
}
