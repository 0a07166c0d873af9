/**
 * detector: the pure failure-detection math, no I/O and no timers. Each function takes the time
 * as an argument, so the same code runs on the agent's real clock and the simulator's virtual one.
 *
 * - phi.ts: the phi accrual failure detector (Hayashibara et al. 2004, as in Akka/Pekko): a
 *   suspicion level from the heartbeat inter-arrival distribution, and the silence at which it
 *   reaches a threshold so callers schedule one check instead of polling.
 */
export {
  createPhiState,
  elapsedForPhi,
  lastArrivalMs,
  meanIntervalMs,
  phi,
  phiOf,
  PHI_MAX,
  recordHeartbeat,
  sampleCount,
  stdDevMs,
  type PhiOptions,
  type PhiState
} from './phi.ts'
