/**
 * What GET /v1/checks and `healthmon checks --json` show of each check: its CheckReport plus
 * what an operator needs to act on it (the latest raw result, output, perfdata, schedule,
 * counters). Declared here, beside the state it is built from, and re-exported by the API's
 * protocol.ts as part of the public contract: extend, never rename or remove.
 */
import type { CheckStatus } from '../health/types.ts'
import { describeTarget, type CheckDefinition, type CheckKind } from './check-config.ts'
import type { CheckState } from './check-state.ts'
import type { PerfItem } from './perfdata.ts'

export interface CheckDetail {
  id: string
  kind: CheckKind
  /** What it runs: the argv joined by spaces, the URL, host:port, or "ttl N ms". */
  target: string
  /** The reported status, after damping. */
  status: CheckStatus
  flapping: boolean
  /** Nagios' weighted percent state change over the last 21 results (0-100). */
  percentStateChange: number
  /** The latest result's summary line (or, before any, what the check waits for). */
  output: string
  /** The latest result's further lines ('' when none). */
  longOutput: string
  /** The latest result before damping; null before the first. It differs from `status` while damping holds a change back. */
  lastResult: CheckStatus | null
  /** When `status` last changed (ISO 8601). */
  since: string
  /** When the latest result came in (ISO 8601); null before the first. */
  lastRunAt: string | null
  /** The latest exec result's perfdata, normalised (empty for other kinds). */
  perfdata: PerfItem[]
  /** Schedule: null where it does not apply (a TTL check has no interval; others no TTL). */
  intervalMs: number | null
  timeoutMs: number | null
  ttlMs: number | null
  /** A TTL check's deadline for the next check-in (ISO 8601); null for other kinds and once expired. */
  ttlExpiresAt: string | null
  failuresBeforeCritical: number
  successesBeforePassing: number
  /** Results recorded since start (runs, check-ins, TTL expiries), and runs that timed out. */
  runs: number
  timeouts: number
}

/** GET /v1/checks: every configured check, in config order. */
export interface ChecksResponse {
  checks: CheckDetail[]
  generatedAt: string
}

/** What `healthmon check-in --status` and POST /v1/checks/{id}/<status> take: passing, warning, critical. */
export type CheckInStatus = 'pass' | 'warn' | 'fail'
export const CHECK_IN_STATUSES: readonly CheckInStatus[] = ['pass', 'warn', 'fail']

export type CheckInOutcome =
  | { ok: true; check: CheckDetail }
  | { ok: false; reason: 'not-found' | 'not-ttl' | 'note-too-long'; message: string }

export interface CheckCounts {
  runs: number
  timeouts: number
}

const iso = (ms: number): string => new Date(ms).toISOString()

export function checkDetail(definition: CheckDefinition, state: CheckState, extra: { perfdata: readonly PerfItem[]; counts: CheckCounts; ttlExpiresAtMs: number | undefined }): CheckDetail {
  const ttl = definition.target.kind === 'ttl'
  return {
    id: definition.id,
    kind: definition.target.kind,
    target: describeTarget(definition.target),
    status: state.status,
    flapping: state.flapping,
    percentStateChange: Math.round(state.percentStateChange * 10) / 10,
    output: state.last?.output ?? state.pendingOutput,
    longOutput: state.last?.longOutput ?? '',
    lastResult: state.last?.status ?? null,
    since: iso(state.sinceMs),
    lastRunAt: state.lastRunAtMs === undefined ? null : iso(state.lastRunAtMs),
    perfdata: [...extra.perfdata],
    intervalMs: ttl ? null : definition.intervalMs,
    timeoutMs: ttl ? null : definition.timeoutMs,
    ttlMs: definition.target.kind === 'ttl' ? definition.target.ttlMs : null,
    ttlExpiresAt: extra.ttlExpiresAtMs === undefined ? null : iso(extra.ttlExpiresAtMs),
    failuresBeforeCritical: definition.failuresBeforeCritical,
    successesBeforePassing: definition.successesBeforePassing,
    runs: extra.counts.runs,
    timeouts: extra.counts.timeouts
  }
}
