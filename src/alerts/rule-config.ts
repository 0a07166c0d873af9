import { z } from 'zod'
import { ConfigError } from '../errors.ts'
import { SEVERITIES, PEER_STATES, type PeerState, type Severity } from '../domain/index.ts'
import { CHECK_STATUSES, type CheckStatus } from '../health/types.ts'
import { LABEL_NAME, LABEL_VALUE_CHARS_MAX, LABELS_MAX, type Labels } from './labels.ts'
import { compileMatcher, parseMatcher, type CompiledMatcher } from './matchers.ts'
import { parseRange, type NagiosRange } from './nagios-range.ts'
import { parseTemplate, TEMPLATE_CHARS_MAX, type Template } from './template.ts'
import { ADAPTIVE_DEFAULTS, type AdaptiveOptions } from './adaptive.ts'
import { TREND_DEFAULTS, type TrendOptions } from './trend.ts'

/**
 * The `alertRules:` config list: its zod schema (for src/config/schema.ts to include) and the
 * compiler that turns a validated entry into a CompiledRule (ranges parsed, matchers and
 * templates compiled), with errors naming the rule and the key: `alertRules[2] (DiskLow).warning`.
 *
 * A rule has exactly one selector:
 * - `metric` (+ `matchers`, optional `divideBy` metric joined on equal labels, `scale`,
 *   `perCore`, `trend` or `adaptive`): one alert per matching series;
 * - `check` (an id or `*`) + `statuses`: one alert per check whose status is listed;
 * - `peerState`: one alert per peer in that state;
 * - `node`: a fact about this node itself (`eventLoopLagMs`, `awareness`, `isolated`,
 *   `actorsStopped`: peer actors parked past their restart budget, waiting for their cooldown).
 * Severity: the `critical` range gives critical; the `warning` range gives `severity` (default
 * warning, so `severity: info` makes an informational threshold); a rule without ranges fires at
 * `severity` whenever its condition holds (a listed status, the peer state, a non-zero value).
 */
export const NODE_FACTS = ['eventLoopLagMs', 'awareness', 'isolated', 'actorsStopped'] as const
export type NodeFact = (typeof NODE_FACTS)[number]

export const RULES_MAX = 500
const DURATION_MS_MAX = 7 * 24 * 3_600_000
const durationMs = z.number().int().min(0).max(DURATION_MS_MAX)
const rangeText = z.string().min(1).max(64)
const labelMap = z.record(z.string().regex(LABEL_NAME, 'label names are [a-zA-Z_][a-zA-Z0-9_]*'), z.string().max(LABEL_VALUE_CHARS_MAX))
  .refine((l) => Object.keys(l).length <= LABELS_MAX, `at most ${LABELS_MAX} labels`)

export const adaptiveOptionsSchema = z.strictObject({
  /** Span of history the median/MAD baseline is computed over; longer adapts slower. */
  baselineWindowMs: durationMs.min(60_000).optional(),
  /** Points kept per series for the baseline (downsampled to baselineWindowMs / this). */
  baselinePointsMax: z.number().int().min(10).max(2_000).optional(),
  /** No verdict until the baseline spans this long. */
  warmupMs: durationMs.optional(),
  /** Band half-width in robust standard deviations (1.4826 x MAD). */
  deviations: z.number().min(0.5).max(50).optional(),
  /** Smallest band half-width, in the metric's unit (a flat series has MAD 0). */
  bandMin: z.number().min(0).optional(),
  /** Fire when at least triggerShare of the points in the last triggerWindowMs lie outside. */
  triggerWindowMs: durationMs.min(1_000).optional(),
  triggerShare: z.number().gt(0).max(1).optional(),
  /** Clear when at most recoveryShare of the points in the last recoveryWindowMs lie outside. */
  recoveryWindowMs: durationMs.min(1_000).optional(),
  recoveryShare: z.number().min(0).lt(1).optional()
})

export const alertRuleSchema = z.strictObject({
  /** The alertname label; built-in rules of the same name are replaced by this one. */
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'must be 1-128 letters, digits or "_", not starting with a digit'),
  /** `disabled: true` alone turns a built-in rule of this name off. */
  disabled: z.boolean().optional(),
  metric: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus metric name').optional(),
  matchers: z.array(z.string().max(300)).max(16).optional(),
  /** Divide by this metric's sample with the same labels (or, failing that, with no labels). */
  divideBy: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, 'must be a Prometheus metric name').optional(),
  /** Multiply after dividing (100 turns a ratio into percent). */
  scale: z.number().finite().optional(),
  /** Divide by the node's CPU count (sample `node_cpus`). */
  perCore: z.boolean().optional(),
  /** The value becomes the seconds until the series reaches 0 on its linear trend (Infinity when not falling). */
  trend: z.strictObject({ windowMs: durationMs.min(60_000).optional(), pointsMax: z.number().int().min(3).max(1_000).optional() }).optional(),
  /** Median/MAD band instead of fixed ranges. */
  adaptive: z.union([z.literal(true), adaptiveOptionsSchema]).optional(),
  check: z.string().min(1).max(128).optional(),
  statuses: z.array(z.enum(CHECK_STATUSES as [CheckStatus, ...CheckStatus[]])).min(1).max(4).optional(),
  peerState: z.enum(PEER_STATES as [PeerState, ...PeerState[]]).optional(),
  node: z.enum(NODE_FACTS).optional(),
  warning: rangeText.optional(),
  critical: rangeText.optional(),
  /** Hysteresis: once active, the alert stays active until this range no longer alerts. */
  clear: rangeText.optional(),
  /** The condition must hold this long before the alert fires (pending meanwhile). */
  forMs: durationMs.optional(),
  /** Keep firing this long after the condition stops (Prometheus keep_firing_for). */
  keepFiringForMs: durationMs.optional(),
  severity: z.enum(SEVERITIES as [Severity, ...Severity[]]).optional(),
  labels: labelMap.optional(),
  annotations: z.strictObject({ summary: z.string().max(TEMPLATE_CHARS_MAX).optional(), description: z.string().max(TEMPLATE_CHARS_MAX).optional() }).optional()
})
export type AlertRuleConfig = z.infer<typeof alertRuleSchema>
export const alertRulesSchema = z.array(alertRuleSchema).max(RULES_MAX)

export type Selector =
  | { kind: 'metric'; metric: string; matchers: CompiledMatcher[]; divideBy: string | undefined; scale: number; perCore: boolean }
  | { kind: 'check'; check: string; statuses: CheckStatus[] }
  | { kind: 'peer'; peerState: PeerState }
  | { kind: 'node'; fact: NodeFact }

export interface CompiledRule {
  name: string
  selector: Selector
  warning: NagiosRange | undefined
  critical: NagiosRange | undefined
  clear: NagiosRange | undefined
  trend: TrendOptions | undefined
  adaptive: AdaptiveOptions | undefined
  forMs: number
  keepFiringForMs: number
  severity: Severity
  labels: Labels
  summary: Template | undefined
  description: Template | undefined
}

function fail(index: number, name: string | undefined, key: string, rule: string): never {
  throw new ConfigError(`alertRules[${index}]${name === undefined ? '' : ` (${name})`}${key === '' ? '' : '.' + key}`, rule)
}

/** Turns one validated entry into a CompiledRule; `index` and the name appear in every error. */
export function compileRule(entry: AlertRuleConfig, index: number): CompiledRule {
  const name = entry.name
  const at = <T>(key: string, fn: () => T): T => {
    try {
      return fn()
    } catch (error) {
      return fail(index, name, key, (error as Error).message)
    }
  }
  const selectors = (['metric', 'check', 'peerState', 'node'] as const).filter((k) => entry[k] !== undefined)
  if (selectors.length !== 1) fail(index, name, '', `needs exactly one selector of metric, check, peerState, node (has ${selectors.length === 0 ? 'none' : selectors.join(', ')})`)
  const metricOnly = ['matchers', 'divideBy', 'scale', 'perCore', 'trend', 'adaptive'] as const
  if (entry.metric === undefined) for (const k of metricOnly) if (entry[k] !== undefined) fail(index, name, k, 'applies to metric rules only')
  if (entry.check === undefined && entry.statuses !== undefined) fail(index, name, 'statuses', 'applies to check rules only')
  if (entry.check !== undefined && entry.statuses === undefined) fail(index, name, 'statuses', 'required for a check rule: the statuses that fire, e.g. [critical]')
  if ((entry.check !== undefined || entry.peerState !== undefined) && (entry.warning ?? entry.critical ?? entry.clear) !== undefined) fail(index, name, 'warning', 'check and peerState rules fire on their status or state, not on thresholds')
  if (entry.trend !== undefined && entry.adaptive !== undefined) fail(index, name, 'adaptive', 'cannot be combined with trend')
  if (entry.adaptive !== undefined && (entry.warning ?? entry.critical ?? entry.clear) !== undefined) fail(index, name, 'adaptive', 'an adaptive rule has a band, not warning/critical/clear ranges')
  if (entry.metric !== undefined && entry.adaptive === undefined && entry.warning === undefined && entry.critical === undefined) fail(index, name, 'warning', 'a metric rule needs a warning or critical range, or adaptive')
  if (entry.clear !== undefined && entry.warning === undefined && entry.critical === undefined) fail(index, name, 'clear', 'needs a warning or critical range to clear')

  let selector: Selector
  if (entry.metric !== undefined) {
    const matchers = (entry.matchers ?? []).map((text, i) => at(`matchers[${i}]`, () => compileMatcher(parseMatcher(text))))
    selector = { kind: 'metric', metric: entry.metric, matchers, divideBy: entry.divideBy, scale: entry.scale ?? 1, perCore: entry.perCore ?? false }
  } else if (entry.check !== undefined) selector = { kind: 'check', check: entry.check, statuses: entry.statuses! }
  else if (entry.peerState !== undefined) selector = { kind: 'peer', peerState: entry.peerState }
  else selector = { kind: 'node', fact: entry.node! }

  const range = (key: 'warning' | 'critical' | 'clear'): NagiosRange | undefined => {
    const text = entry[key]
    return text === undefined ? undefined : at(key, () => parseRange(text))
  }
  const labels = { ...(entry.labels ?? {}) }
  for (const reserved of ['alertname', 'severity']) if (reserved in labels) fail(index, name, `labels.${reserved}`, 'is set by the rule itself (name, severity)')
  return {
    name,
    selector,
    warning: range('warning'),
    critical: range('critical'),
    clear: range('clear'),
    trend: entry.trend === undefined ? undefined : { ...TREND_DEFAULTS, ...entry.trend },
    adaptive: entry.adaptive === undefined ? undefined : { ...ADAPTIVE_DEFAULTS, ...(entry.adaptive === true ? {} : entry.adaptive) },
    forMs: entry.forMs ?? 0,
    keepFiringForMs: entry.keepFiringForMs ?? 0,
    severity: entry.severity ?? 'warning',
    labels,
    summary: entry.annotations?.summary === undefined ? undefined : at('annotations.summary', () => parseTemplate(entry.annotations!.summary!)),
    description: entry.annotations?.description === undefined ? undefined : at('annotations.description', () => parseTemplate(entry.annotations!.description!))
  }
}

/**
 * Validates a raw `alertRules` value (as read from the config file) against the schema and
 * compiles each entry. Throws a ConfigError naming the rule and the key.
 */
export function parseAlertRules(raw: unknown): AlertRuleConfig[] {
  const result = alertRulesSchema.safeParse(raw)
  if (!result.success) {
    const issue = result.error.issues[0]!
    const [index, ...rest] = issue.path
    if (typeof index !== 'number') throw new ConfigError('alertRules', issue.message)
    const name = (raw as { name?: unknown }[])[index]?.name
    fail(index, typeof name === 'string' ? name : undefined, rest.join('.'), issue.message)
  }
  const seen = new Set<string>()
  result.data.forEach((rule, i) => {
    if (seen.has(rule.name)) fail(i, rule.name, 'name', 'is used by an earlier rule; names must be unique')
    seen.add(rule.name)
  })
  return result.data
}
