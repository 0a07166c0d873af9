import type { Severity } from '../domain/index.ts'
import { alertsOn, type NagiosRange } from './nagios-range.ts'
import type { CompiledRule } from './rule-config.ts'
import type { TemplateVariable } from './template.ts'

/**
 * A threshold rule's verdict on one value: critical if the critical range alerts, the rule's
 * severity if the warning range does, and, for an alert already active, its current severity
 * while the clear range still alerts (hysteresis: it clears only past the clear line).
 */
export type Vars = Partial<Record<TemplateVariable, number>>

/** The bound of `range` nearest the value, for `{{ $threshold }}`. */
function nearestBound(range: NagiosRange, value: number): number {
  const finite = [range.start, range.end].filter(Number.isFinite)
  if (finite.length === 0) return NaN
  return finite.reduce((a, b) => (Math.abs(b - value) < Math.abs(a - value) ? b : a))
}

/** The severity a threshold rule gives `value`; `current` keeps an active alert under hysteresis. */
export function thresholdSeverity(rule: CompiledRule, value: number, current: Severity | undefined, vars: Vars): Severity | null {
  if (rule.critical !== undefined && alertsOn(rule.critical, value)) {
    vars.threshold = nearestBound(rule.critical, value)
    return 'critical'
  }
  if (rule.warning !== undefined && alertsOn(rule.warning, value)) {
    vars.threshold = nearestBound(rule.warning, value)
    return rule.severity
  }
  if (current !== undefined && rule.clear !== undefined && alertsOn(rule.clear, value)) return current
  return null
}

