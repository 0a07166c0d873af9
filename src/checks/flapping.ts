/**
 * Flap detection as Nagios Core does it (base/flapping.c; "Detection and Handling of State
 * Flapping" in the Nagios docs): keep the last 21 results, find the state changes between
 * consecutive ones (at most 20), weight each from 0.75 (the oldest) rising linearly to 1.25 (the
 * newest), so recent changes count more, and express the sum as a percent of 20 changes. A check
 * starts flapping when that percent reaches the high threshold and stops when it falls to the
 * low one or below; in between it keeps its flag (hysteresis, so the flag itself does not flap).
 *
 * Two choices differ from Nagios, for a single agent without soft/hard states:
 * - every result is recorded (Nagios records hard states and soft recoveries): flapping then
 *   shows instability that damping keeps out of the reported status;
 * - before 21 results exist, the missing older ones count as copies of the first result, as
 *   Nagios fills the history with the current state when flap detection is enabled.
 *
 * Pure functions; the state is the history array.
 */
import type { CheckStatus } from '../health/types.ts'

/** Results kept (Nagios' MAX_STATE_HISTORY_ENTRIES). */
export const FLAP_HISTORY_LENGTH = 21
const CHANGES_MAX = FLAP_HISTORY_LENGTH - 1
const WEIGHT_OLDEST = 0.75
const WEIGHT_NEWEST = 1.25

export interface FlapThresholds {
  flapThresholdHighPercent: number
  flapThresholdLowPercent: number
}

/** Appends a result, keeping the newest FLAP_HISTORY_LENGTH. */
export function recordResult(history: readonly CheckStatus[], status: CheckStatus): CheckStatus[] {
  const next = [...history, status]
  return next.length > FLAP_HISTORY_LENGTH ? next.slice(next.length - FLAP_HISTORY_LENGTH) : next
}

/** Weighted percent state change over the history (oldest first): 0 to 100. */
export function percentStateChange(history: readonly CheckStatus[]): number {
  // Positions are counted in the full 21-entry window, newest last, so a short history's
  // changes get the weights of the newest slots.
  const offset = FLAP_HISTORY_LENGTH - history.length
  let weighted = 0
  for (let i = 1; i < history.length; i++) {
    if (history[i] === history[i - 1]) continue
    const x = i + offset // 1..20
    weighted += WEIGHT_OLDEST + ((x - 1) * (WEIGHT_NEWEST - WEIGHT_OLDEST)) / (CHANGES_MAX - 1)
  }
  return (weighted * 100) / CHANGES_MAX
}

/** Nagios' decision: at or above high starts, at or below low stops, in between keeps. */
export function nextFlapping(wasFlapping: boolean, percent: number, thresholds: FlapThresholds): boolean {
  if (percent >= thresholds.flapThresholdHighPercent) return true
  if (percent <= thresholds.flapThresholdLowPercent) return false
  return wasFlapping
}
