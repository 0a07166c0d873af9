import type { EvaluatorState } from './evaluator.ts'
import type { AlertInstance } from './instance.ts'

/**
 * What the store persists of the evaluator: its alert instances as plain JSON rows (fingerprint,
 * rule, labels, state, severity, activeAt, firedAt, resolvedAt, lastNotifiedAt, value, ...), and
 * how a restarted agent takes them back.
 */
/** The instances as plain JSON rows (the store persists these). */
export function alertRows(s: EvaluatorState): AlertInstance[] {
  return [...s.instances.values()].map((a) => structuredClone(a))
}

/**
 * Restores persisted instances after a restart. Alerts last seen more than `toleranceMs` ago
 * are dropped (the agent was down too long for their state to mean anything); the others keep
 * their start times and last-notified marks, so the notifier does not re-send them.
 */
export function restoreAlerts(s: EvaluatorState, rows: readonly AlertInstance[], nowMs: number, toleranceMs: number): number {
  let restored = 0
  for (const row of rows) {
    if (nowMs - row.lastSeenAtMs > toleranceMs || !s.rulesByName.has(row.rule)) continue
    if (s.instances.size >= s.options.activeAlertsMax) {
      s.counters.alertsDropped++
      continue
    }
    s.instances.set(row.fingerprint, structuredClone(row))
    if (row.state === 'resolved') s.resolvedOrder.add(row.fingerprint)
    restored++
  }
  return restored
}
