import { z } from 'zod'
import type { Labels } from './labels.ts'
import { compileMatcher, matchesAll, parseMatcher, type CompiledMatcher } from './matchers.ts'

/**
 * Inhibition, Alertmanager's semantics: an alert matching a rule's target matchers is muted
 * while some *other* firing alert matches its source matchers and has the same values for every
 * label in `equal` (a label missing on both sides counts as equal, as in Alertmanager).
 *
 * Built in (always on, before the operator's rules):
 * - a dead peer inhibits that peer's other alerts (PeerSuspect, PeerMissing, and any alert
 *   carrying its peer_id): the page says "dead", not "dead, and also suspect";
 * - an isolated node inhibits its own PeerDead alerts: when this node lost most of its subjects
 *   at once while the cluster says they live, the problem is here, not there.
 */
export const inhibitRuleSchema = z.strictObject({
  sourceMatchers: z.array(z.string().max(300)).min(1).max(16),
  targetMatchers: z.array(z.string().max(300)).min(1).max(16),
  equal: z.array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/)).max(16).default([])
})
export type InhibitRuleConfig = z.input<typeof inhibitRuleSchema>

export interface InhibitRule {
  source: CompiledMatcher[]
  target: CompiledMatcher[]
  equal: string[]
}

export function compileInhibitRule(config: InhibitRuleConfig): InhibitRule {
  return {
    source: config.sourceMatchers.map((m) => compileMatcher(parseMatcher(m))),
    target: config.targetMatchers.map((m) => compileMatcher(parseMatcher(m))),
    equal: [...(config.equal ?? [])]
  }
}

export const BUILTIN_INHIBIT_RULES: readonly InhibitRuleConfig[] = [
  { sourceMatchers: ['alertname="PeerDead"'], targetMatchers: ['alertname!="PeerDead"', 'peer_id=~".+"'], equal: ['peer_id'] },
  { sourceMatchers: ['alertname="NodeIsolated"'], targetMatchers: ['alertname="PeerDead"'], equal: [] }
]

export interface InhibitCandidate {
  fingerprint: string
  labels: Labels
}

/**
 * The fingerprints of the targets inhibited by the firing `sources`. O(rules x (sources +
 * targets)): sources are indexed by their `equal` values per rule.
 */
export function inhibited(rules: readonly InhibitRule[], firing: readonly InhibitCandidate[], targets: readonly InhibitCandidate[]): Set<string> {
  const out = new Set<string>()
  for (const rule of rules) {
    // equal-values key -> fingerprints of the sources with it
    const sources = new Map<string, Set<string>>()
    for (const a of firing) {
      if (!matchesAll(rule.source, a.labels)) continue
      const key = rule.equal.map((n) => a.labels[n] ?? '').join('\u0000')
      const set = sources.get(key) ?? new Set()
      set.add(a.fingerprint)
      sources.set(key, set)
    }
    if (sources.size === 0) continue
    for (const t of targets) {
      if (out.has(t.fingerprint) || !matchesAll(rule.target, t.labels)) continue
      const fps = sources.get(rule.equal.map((n) => t.labels[n] ?? '').join('\u0000'))
      // An alert never inhibits itself (it may match both sides).
      if (fps !== undefined && (fps.size > 1 || !fps.has(t.fingerprint))) out.add(t.fingerprint)
    }
  }
  return out
}
