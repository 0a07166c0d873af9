/**
 * Custom checks (issue 7): operator-declared exec (Nagios / Monitoring Plugins convention),
 * http, tcp and ttl checks, with Consul's damping and Nagios' flap detection.
 *
 * Pure cores: check-config.ts (the `checks:` schema), plugin-output.ts and perfdata.ts (the
 * plugin output format), damping.ts, flapping.ts and check-state.ts (`stepCheck`). Shells:
 * exec-runner.ts (processes), probes.ts (sockets), scheduler.ts (timers on the injected Clock).
 */
export { checksSchema, resolveCheck, CHECK_KINDS, type CheckDefinition, type CheckKind, type CheckSpec, type CheckTarget } from './check-config.ts'
export type { CheckDetail, ChecksResponse } from './check-view.ts'
export { CheckScheduler, CHECK_IN_STATUSES, type CheckInOutcome, type CheckInStatus, type CheckSchedulerOptions, type CheckSchedulerStats } from './scheduler.ts'
export { parsePluginOutput, type PluginOutput } from './plugin-output.ts'
export { parsePerfdata, perfSamples, type PerfItem, type PerfRejectReason } from './perfdata.ts'
