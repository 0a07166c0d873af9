/**
 * Alerting's pure core: rules over node samples, check reports, peer states and node facts
 * (rule-config, builtin-rules), Nagios threshold ranges, linear trends and adaptive median/MAD
 * bands, the alert lifecycle (`evaluate(state, input, nowMs)` → transitions), then the
 * notification pipeline (inhibition, silences, who notifies in the cluster, Alertmanager-style
 * grouping) and the Alertmanager wire formats. No I/O, no timers: src/notify/ holds the shells
 * that deliver, and the daemon wires both. `alert-log.ts` is the older peer-state log.
 */
export { parseRange, alertsOn, type NagiosRange } from './nagios-range.ts'
export { fingerprint, labelsKey, type Labels } from './labels.ts'
export { compileMatcher, parseMatcher, formatMatcher, matchesAll, type Matcher, type MatchOp, type CompiledMatcher } from './matchers.ts'
export { parseTemplate, renderTemplate, type Template } from './template.ts'
export { alertRuleSchema, alertRulesSchema, parseAlertRules, compileRule, type AlertRuleConfig, type CompiledRule, type NodeFact } from './rule-config.ts'
export { BUILTIN_RULES, effectiveRules } from './builtin-rules.ts'
export { alertConfigShape, ALERT_CONFIG_DEFAULTS } from './settings.ts'
export { type AlertInstance, type AlertState, type AlertSubject, type Transition, type LifecycleOptions, LIFECYCLE_DEFAULTS } from './instance.ts'
export { alertRows, restoreAlerts } from './persistence.ts'
export { thresholdSeverity } from './thresholds.ts'
export { createEvaluator, evaluate, type EvaluatorState, type EvaluatorOptions, type AlertInput, type PeerFact, type NodeFacts } from './evaluator.ts'
export { createGrouping, groupStep, nextFlushMs, notificationLogRows, groupOf, type GroupingState, type GroupingOptions, type Notification, type NotifiableAlert, type NotificationLogEntry } from './grouping.ts'
export { compileInhibitRule, inhibited, BUILTIN_INHIBIT_RULES, inhibitRuleSchema, type InhibitRule, type InhibitRuleConfig } from './inhibition.ts'
export { createSilenceSet, upsertSilence, expireSilence, gcSilences, silencedBy, silenceState, silenceRows, validateSilence, type Silence, type SilenceSet, type SilenceState } from './silences.ts'
export { whoNotifies, type NotifiedMark, type WhoNotifiesInput, type WhoNotifiesDecision } from './who-notifies.ts'
export { createPipeline, pipelineStep, type ClusterFacts, type PipelineState, type PipelineResult, type Muting } from './pipeline.ts'
export { webhookPayload, alertmanagerBatch, ALERTMANAGER_PUSH_DEFAULTS, type WebhookPayload, type PostableAlert } from './payloads.ts'
