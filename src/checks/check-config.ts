/**
 * The `checks:` list of the config file: one entry per operator-declared check, validated once at
 * start (zod), then resolved into CheckDefinitions with every default filled in. Errors name the
 * check's position and the key, e.g. `checks[1].timeoutMs: must be at most 600000`.
 *
 * Names and semantics follow Consul's check definitions (interval, timeout,
 * failures_before_critical, success_before_passing, ttl), spelled with our unit suffixes:
 *
 *   checks:
 *     - id: disk-root
 *       exec: ["/usr/lib/nagios/plugins/check_disk", "-w", "10%", "-c", "5%", "-p", "/"]
 *       intervalMs: 30000
 *       timeoutMs: 10000
 *     - id: web
 *       http: "http://127.0.0.1:8080/healthz"
 *       intervalMs: 5000
 *     - id: batch-job
 *       ttlMs: 900000
 */
import { z } from 'zod'
import { CHECK_DEFAULTS } from '../config/profiles.ts'

/** Check ids: what `healthmon check-in ID` and `/v1/checks/{id}` take, and a metric label value. */
export const CHECK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/
/** Most checks one agent runs: each is a metric series and a slot in every /v1/checks answer. */
export const CHECKS_MAX = 256

const KINDS = ['exec', 'http', 'tcp', 'ttlMs'] as const
const int = (min: number, max: number) => z.number().int().min(min).max(max)

export const checkSpecSchema = z.strictObject({
  /** Unique among the checks; 1-63 letters, digits, "_", "." or "-", starting with a letter or digit. */
  id: z.string().regex(CHECK_ID_PATTERN, 'must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit'),
  /**
   * A Nagios / Monitoring Plugins program and its arguments, run without a shell (argv[0] is
   * looked up in PATH=/usr/sbin:/usr/bin:/sbin:/bin when not absolute). Exit 0/1/2/3 is
   * passing/warning/critical/unknown; the first output line is the summary; perfdata is parsed.
   */
  exec: z.array(z.string().min(1).max(4096).refine((s) => !s.includes('\u0000'), 'must not contain NUL')).min(1).max(64).optional(),
  /** An http:// or https:// URL: 2xx is passing, 429 warning, anything else (or no answer in time) critical. */
  http: z.string().max(2048).refine(isHttpUrl, 'must be an http:// or https:// URL').optional(),
  /** "host:port" (IPv6 as "[::1]:port"): passing when a TCP connection opens within timeoutMs. */
  tcp: z.string().max(300).refine((s) => parseHostPort(s) !== undefined, 'must be "host:port" with a port from 1 to 65535').optional(),
  /**
   * A TTL check: the application reports in (POST /v1/checks/{id}/pass|warn|fail, or
   * `healthmon check-in`) at least this often; when the TTL runs out the check is critical.
   */
  ttlMs: int(1000, 30 * 24 * 3_600_000).optional(),
  /**
   * Time from the end of one run to the start of the next (Consul's interval; runs of one check
   * never overlap). Shorter notices failures sooner, at one process, request or connection per
   * period. Default 30 s. Not for TTL checks.
   */
  intervalMs: int(100, 24 * 3_600_000).optional(),
  /**
   * How long one run may take before it is abandoned: an exec check's process group is killed
   * (SIGKILL) and the result is unknown; an http or tcp check is critical. Default 10 s (Consul's).
   * Not for TTL checks.
   */
  timeoutMs: int(100, 600_000).optional(),
  /**
   * Consecutive failing results (critical or unknown) needed before the reported status leaves
   * passing or warning (Consul's failures_before_critical). 0 or 1: at once. Absorbs one-off
   * blips at the cost of reporting a real failure (n - 1) intervals later.
   */
  failuresBeforeCritical: int(0, 1000).optional(),
  /**
   * Consecutive passing or warning results needed before a failing check reports them (Consul's
   * success_before_passing). 0 or 1: at once. Keeps a recovering service from bouncing.
   */
  successesBeforePassing: int(0, 1000).optional(),
  /**
   * http checks only: a plain, case-sensitive substring (not a regex: no pattern from a config
   * file can then cost unbounded time) the response body must contain, within the first
   * checkHttpBodyBytesMax bytes; missing is critical (as check_http -s does).
   */
  expectBody: z.string().min(1).max(1024).optional(),
  /**
   * Flap detection (Nagios): the check is flapping once the weighted percent state change over
   * its last 21 results reaches the high threshold, and stops flapping at or below the low one
   * (the gap is the hysteresis). Defaults 20 and 5, Nagios' service defaults.
   */
  flapThresholdHighPercent: z.number().min(0).max(100).optional(),
  flapThresholdLowPercent: z.number().min(0).max(100).optional()
}).superRefine((spec, ctx) => {
  const kinds = KINDS.filter((k) => spec[k] !== undefined)
  if (kinds.length !== 1) {
    ctx.addIssue({ code: 'custom', path: [], message: `must have exactly one of exec, http, tcp, ttlMs (has ${kinds.length === 0 ? 'none' : kinds.join(', ')})` })
    return
  }
  if (spec.ttlMs !== undefined) {
    for (const key of ['intervalMs', 'timeoutMs'] as const) {
      if (spec[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: 'does not apply to a ttlMs check (the application reports in instead)' })
    }
  }
  if (spec.expectBody !== undefined && spec.http === undefined) {
    ctx.addIssue({ code: 'custom', path: ['expectBody'], message: 'applies only to http checks' })
  }
  const high = spec.flapThresholdHighPercent ?? CHECK_DEFAULTS.flapThresholdHighPercent
  const low = spec.flapThresholdLowPercent ?? CHECK_DEFAULTS.flapThresholdLowPercent
  if (low >= high) ctx.addIssue({ code: 'custom', path: ['flapThresholdLowPercent'], message: `must be below flapThresholdHighPercent (${high})` })
})

export const checksSchema = z.array(checkSpecSchema).max(CHECKS_MAX).superRefine((list, ctx) => {
  const seen = new Map<string, number>()
  list.forEach((spec, index) => {
    const first = seen.get(spec.id)
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `"${spec.id}" is already the id of checks[${first}]` })
    else seen.set(spec.id, index)
  })
})

export type CheckSpec = z.infer<typeof checkSpecSchema>

export type CheckKind = 'exec' | 'http' | 'tcp' | 'ttl'
export const CHECK_KINDS: readonly CheckKind[] = ['exec', 'http', 'tcp', 'ttl']

export type CheckTarget =
  | { kind: 'exec'; argv: readonly string[] }
  | { kind: 'http'; url: string; expectBody: string | undefined }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'ttl'; ttlMs: number }

/** A validated check with every default applied: what the scheduler runs. */
export interface CheckDefinition {
  id: string
  target: CheckTarget
  /** For TTL checks, unused. */
  intervalMs: number
  timeoutMs: number
  failuresBeforeCritical: number
  successesBeforePassing: number
  flapThresholdHighPercent: number
  flapThresholdLowPercent: number
}

/** Fills in the defaults of a validated spec (CHECK_DEFAULTS in src/config/profiles.ts). */
export function resolveCheck(spec: CheckSpec): CheckDefinition {
  let target: CheckTarget
  if (spec.exec !== undefined) target = { kind: 'exec', argv: [...spec.exec] }
  else if (spec.http !== undefined) target = { kind: 'http', url: spec.http, expectBody: spec.expectBody }
  else if (spec.tcp !== undefined) target = { kind: 'tcp', ...parseHostPort(spec.tcp)! }
  else target = { kind: 'ttl', ttlMs: spec.ttlMs! }
  return {
    id: spec.id,
    target,
    intervalMs: spec.intervalMs ?? CHECK_DEFAULTS.intervalMs,
    timeoutMs: spec.timeoutMs ?? CHECK_DEFAULTS.timeoutMs,
    failuresBeforeCritical: spec.failuresBeforeCritical ?? CHECK_DEFAULTS.failuresBeforeCritical,
    successesBeforePassing: spec.successesBeforePassing ?? CHECK_DEFAULTS.successesBeforePassing,
    flapThresholdHighPercent: spec.flapThresholdHighPercent ?? CHECK_DEFAULTS.flapThresholdHighPercent,
    flapThresholdLowPercent: spec.flapThresholdLowPercent ?? CHECK_DEFAULTS.flapThresholdLowPercent
  }
}

/** What a check runs, in one line (the table's TARGET, logs). */
export function describeTarget(target: CheckTarget): string {
  switch (target.kind) {
    case 'exec': return target.argv.join(' ')
    case 'http': return target.url
    case 'tcp': return target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`
    case 'ttl': return `ttl ${target.ttlMs} ms`
  }
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== ''
  } catch {
    return false
  }
}

/** "host:port" or "[v6]:port"; undefined when malformed. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+)):(\d{1,5})$/.exec(text)
  if (match === null) return undefined
  const port = Number(match[3])
  if (port < 1 || port > 65_535) return undefined
  return { host: match[1] ?? match[2]!, port }
}
