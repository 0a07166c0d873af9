import { compileRule, parseAlertRules, type AlertRuleConfig, type CompiledRule } from '../../src/alerts/rule-config.ts'
import type { Sample } from '../../src/health/types.ts'
import type { NotifiableAlert } from '../../src/alerts/grouping.ts'
import { fingerprint } from '../../src/alerts/labels.ts'

export const T0 = 1_700_000_000_000
export const MINUTE = 60_000

/** Compiles rules as the config would (schema first), without the built-ins. */
export function rules(...configs: AlertRuleConfig[]): CompiledRule[] {
  return parseAlertRules(configs).map((c, i) => compileRule(c, i))
}

export function sample(name: string, value: number, atMs: number, labels: Record<string, string> = {}): Sample {
  return { name, value, atMs, labels, unit: 'none' }
}

/** A notifiable alert about a peer, as the pipeline hands it to grouping. */
export function alert(name: string, peer: string, status: 'firing' | 'resolved', sinceMs: number, endsAtMs: number | null = null): NotifiableAlert {
  const labels = { alertname: name, peer, severity: 'critical' }
  return { fingerprint: fingerprint(labels), labels, annotations: { summary: `${name} ${peer}` }, status, startsAtMs: sinceMs, endsAtMs, sinceMs }
}
