import { z } from 'zod'
import { alertRulesSchema } from './rule-config.ts'
import { inhibitRuleSchema } from './inhibition.ts'

/**
 * The alerting options, declared here for src/config/schema.ts to spread into its strict object
 * (`...alertConfigShape`), with their defaults for src/config/profiles.ts (`ALERT_CONFIG_DEFAULTS`).
 * Names end in their unit; each comment says what it controls and the trade-off.
 */
const ms = (min: number, max: number) => z.number().int().min(min).max(max)
const count = (min: number, max: number) => z.number().int().min(min).max(max)

export const alertConfigShape = {
  /** How often rules are evaluated and the notification pipeline runs; shorter tells sooner, costs more CPU. */
  alertEvaluationIntervalMs: ms(100, 60_000),
  /** Alert rules; built-ins of the same name are replaced, `{name, disabled: true}` turns one off. */
  alertRules: alertRulesSchema,
  /** Inhibition rules, after the built-in ones (a dead peer mutes its other alerts, ...). */
  alertInhibitRules: z.array(inhibitRuleSchema).max(100),
  /** Labels that group alerts into one notification (Alertmanager group_by); ['...'] groups by all. */
  alertGroupBy: z.array(z.string().regex(/^([a-zA-Z_][a-zA-Z0-9_]*|\.\.\.)$/)).max(32),
  /** Wait before a new group's first notification, so alerts starting together go out together; longer batches more, tells later. */
  alertGroupWaitMs: ms(0, 3_600_000),
  /** Wait between notifications about a group that changed; shorter tells changes sooner, sends more. */
  alertGroupIntervalMs: ms(1_000, 24 * 3_600_000),
  /** Re-send a group that still fires, unchanged, after this long; shorter nags more. */
  alertRepeatIntervalMs: ms(60_000, 30 * 24 * 3_600_000),
  /**
   * An observer further down the ring order notifies a peer's alert this long after the one before it
   * should have. Keep it well above the spread of detection times between observers (seconds):
   * each counts from its own view of the incident, so a shorter delay can tell an incident twice.
   */
  alertHandoverDelayMs: ms(1_000, 3_600_000),
  /** Limit: alert instances held (any state); past it new ones are dropped and counted. */
  alertActiveMax: count(10, 1_000_000),
  /** Limit: silences held; past it new ones are refused (SILENCES_FULL). */
  silencesMax: count(1, 100_000),
  /** Expired silences are forgotten this long after they end (Alertmanager: 120 h). */
  silenceRetentionMs: ms(0, 365 * 24 * 3_600_000),
  /** Limit: resolved alerts kept in the history table (GET /v1/alerts/history); the oldest go first. */
  alertHistoryRowsMax: count(100, 10_000_000),
  /** Resolved alerts older than this are deleted from history. */
  alertHistoryRetentionMs: ms(3_600_000, 3_650 * 24 * 3_600_000),
  /** Firing alerts and their start times are restored after a restart when the agent was down less than this. */
  alertRestoreToleranceMs: ms(0, 7 * 24 * 3_600_000),
  /** Webhook receivers, sent the Alertmanager webhook payload (version "4"). */
  alertWebhooks: z.array(z.strictObject({ url: z.url({ protocol: /^https?$/ }) })).max(16),
  /** Alertmanager base URLs to push alerts to (POST /api/v2/alerts). */
  alertmanagerUrls: z.array(z.url({ protocol: /^https?$/ })).max(16),
  /** Limit: notifications queued per receiver; past it the oldest is dropped, counted and logged. */
  alertQueueLengthMax: count(1, 100_000),
  /** Time one delivery attempt may take before it is aborted. */
  alertDeliveryTimeoutMs: ms(100, 600_000),
  /** Delivery attempts per notification (first try included) before it is dropped and counted. */
  alertDeliveryAttemptsMax: count(1, 100),
  /** Exec hook argv (no shell), run per alert transition with ALERT_* env vars; empty: none. */
  alertExec: z.array(z.string().min(1)).max(64),
  /** Time the exec hook may run before it is killed. */
  alertExecTimeoutMs: ms(100, 600_000)
}

export const ALERT_CONFIG_DEFAULTS = {
  alertEvaluationIntervalMs: 1000,
  alertRules: [],
  alertInhibitRules: [],
  alertGroupBy: ['alertname'],
  alertGroupWaitMs: 30_000,
  alertGroupIntervalMs: 5 * 60_000,
  alertRepeatIntervalMs: 4 * 3_600_000,
  alertHandoverDelayMs: 30_000,
  alertActiveMax: 10_000,
  silencesMax: 1_000,
  silenceRetentionMs: 120 * 3_600_000,
  alertHistoryRowsMax: 100_000,
  alertHistoryRetentionMs: 30 * 24 * 3_600_000,
  alertRestoreToleranceMs: 3_600_000,
  alertWebhooks: [],
  alertmanagerUrls: [],
  alertQueueLengthMax: 1_000,
  alertDeliveryTimeoutMs: 10_000,
  alertDeliveryAttemptsMax: 5,
  alertExec: [],
  alertExecTimeoutMs: 10_000
} satisfies { [K in keyof typeof alertConfigShape]: z.input<(typeof alertConfigShape)[K]> }
