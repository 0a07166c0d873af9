/**
 * One check's state machine: `stepCheck(state, result, now) -> { state, effects }`. A raw result
 * (from a plugin, a probe, a check-in or an expired TTL) goes through damping (damping.ts) to
 * the reported status and into the flap history (flapping.ts). Pure: the scheduler shell runs
 * the effects (listeners, logs); tests run it on tables.
 */
import type { CheckReport, CheckStatus } from '../health/types.ts'
import { damp, NO_STREAK, type DampingCounters, type DampingPolicy } from './damping.ts'
import { nextFlapping, percentStateChange, recordResult, type FlapThresholds } from './flapping.ts'

/** What one run (or check-in, or TTL expiry) found, before damping. */
export interface CheckResult {
  status: CheckStatus
  /** The summary line. */
  output: string
  /** Further text lines (plugins' long output); '' when none. */
  longOutput: string
}

export interface CheckState {
  id: string
  /** The reported (damped) status. */
  status: CheckStatus
  sinceMs: number
  flapping: boolean
  percentStateChange: number
  /** The newest results, oldest first, at most FLAP_HISTORY_LENGTH. */
  history: CheckStatus[]
  streak: DampingCounters
  /** The latest result, undamped; undefined before the first. */
  last: CheckResult | undefined
  lastRunAtMs: number | undefined
  /** What the report says before the first result (e.g. "not run yet"). */
  pendingOutput: string
}

export type CheckPolicy = DampingPolicy & FlapThresholds

export type CheckEffect =
  | { type: 'status:changed'; from: CheckStatus; to: CheckStatus }
  | { type: 'flapping:started'; percent: number }
  | { type: 'flapping:stopped'; percent: number }

/** A check before any result: unknown, with `pendingOutput` saying what it waits for. */
export function initialCheckState(id: string, nowMs: number, pendingOutput: string): CheckState {
  return { id, status: 'unknown', sinceMs: nowMs, flapping: false, percentStateChange: 0, history: [], streak: NO_STREAK, last: undefined, lastRunAtMs: undefined, pendingOutput }
}

export function stepCheck(state: CheckState, result: CheckResult, nowMs: number, policy: CheckPolicy): { state: CheckState; effects: CheckEffect[] } {
  const effects: CheckEffect[] = []
  const damped = damp(state.streak, state.status, result.status, policy)
  const history = recordResult(state.history, result.status)
  const percent = percentStateChange(history)
  const flapping = nextFlapping(state.flapping, percent, policy)
  if (damped.status !== state.status) effects.push({ type: 'status:changed', from: state.status, to: damped.status })
  if (flapping !== state.flapping) effects.push({ type: flapping ? 'flapping:started' : 'flapping:stopped', percent })
  return {
    state: {
      ...state,
      status: damped.status,
      sinceMs: damped.status !== state.status ? nowMs : state.sinceMs,
      flapping,
      percentStateChange: percent,
      history,
      streak: damped.counters,
      last: result,
      lastRunAtMs: nowMs
    },
    effects
  }
}

/** The CheckReport node status and the API read. */
export function reportOf(state: CheckState): CheckReport {
  return {
    id: state.id,
    status: state.status,
    flapping: state.flapping,
    output: state.last?.output ?? state.pendingOutput,
    lastRunAtMs: state.lastRunAtMs,
    sinceMs: state.sinceMs
  }
}
