/**
 * The shells that deliver what src/alerts/ decides: in-process callbacks, the exec hook, webhooks
 * (Alertmanager payload) and the Alertmanager push, each behind a bounded queue that returns at
 * once, so a slow, hung or failing receiver never delays detection or evaluation. Every drop is
 * counted and logged.
 */
export { CallbackDispatcher, LISTENERS_MAX, type Listener } from './callbacks.ts'
export { backoffDelayMs, BACKOFF_DEFAULTS, type BackoffOptions } from './backoff.ts'
export { DeliveryQueue, type DeliveryStats, type AttemptResult } from './delivery-queue.ts'
export { WebhookNotifier, type WebhookNotifierOptions } from './webhook.ts'
export { AlertmanagerPusher, ALERTMANAGER_BATCH_MAX, type AlertmanagerPusherOptions } from './alertmanager-push.ts'
export { ExecHook, execEnv, type ExecHookOptions, type ExecHookStats } from './exec-hook.ts'
