/**
 * Query parameters: each route declares the parameters it takes, each with a parser that either
 * returns the value or says what was wrong. Anything else is a 400 naming the parameter: an
 * unknown parameter (a typo must not look like a filter that worked), a parameter given twice,
 * or a value that does not parse. Pure functions, no I/O.
 */
import { PEER_STATES, SEVERITIES, type PeerState, type Severity } from './protocol.ts'

/** A parsed value, or the rule it broke (worded to follow "must"). */
export type Parsed<T> = { value: T } | { rule: string }

export type ParamParser<T> = (raw: string) => Parsed<T>

export type ParamSpec = Record<string, ParamParser<unknown>>

export type ParamValues<S extends ParamSpec> = { [K in keyof S]?: S[K] extends ParamParser<infer T> ? T : never }

/** Longest value accepted for any parameter: ids and names are at most 256 characters on the wire. */
const VALUE_CHARS_MAX = 512

function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text)
}

/** Parses `query` (without the "?") against `spec`; a string is the 400's message. */
export function parseQuery<S extends ParamSpec>(pathname: string, query: string, spec: S): ParamValues<S> | string {
  const values: Record<string, unknown> = {}
  if (query === '') return values as ParamValues<S>
  const allowed = Object.keys(spec)
  const seen = new Set<string>()
  for (const [name, raw] of new URLSearchParams(query)) {
    const parser = Object.hasOwn(spec, name) ? spec[name] : undefined
    if (parser === undefined) {
      return allowed.length === 0
        ? `${pathname} takes no query parameters (got ${quote(name)})`
        : `unknown query parameter ${quote(name)} for ${pathname}; it takes ${allowed.map((a) => `"${a}"`).join(', ')}`
    }
    if (seen.has(name)) return `query parameter "${name}" is given more than once`
    seen.add(name)
    if (raw.length > VALUE_CHARS_MAX) return `query parameter "${name}" is longer than ${VALUE_CHARS_MAX} characters`
    const parsed = parser(raw)
    if ('rule' in parsed) return `query parameter "${name}" must be ${parsed.rule}, got ${quote(raw)}`
    values[name] = parsed.value
  }
  return values as ParamValues<S>
}

/** An integer in [min, max]. */
export function integerParam(min: number, max: number): ParamParser<number> {
  return (raw) => {
    const n = /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN
    return Number.isSafeInteger(n) && n >= min && n <= max ? { value: n } : { rule: `an integer from ${min} to ${max}` }
  }
}

/** One of a fixed set of words. */
export function oneOf<T extends string>(choices: readonly T[]): ParamParser<T> {
  return (raw) => (choices as readonly string[]).includes(raw) ? { value: raw as T } : { rule: `one of ${choices.join(', ')}` }
}

/** A comma-separated, non-empty list of words from a fixed set (e.g. state=suspect,dead). */
export function setOf<T extends string>(choices: readonly T[]): ParamParser<ReadonlySet<T>> {
  return (raw) => {
    const parts = raw.split(',')
    if (parts.length === 0 || !parts.every((p) => (choices as readonly string[]).includes(p))) {
      return { rule: `one or more of ${choices.join(', ')}, comma-separated` }
    }
    return { value: new Set(parts as T[]) }
  }
}

/** Any non-empty text (a peer id or name). */
export function textParam(raw: string): Parsed<string> {
  return raw === '' ? { rule: 'non-empty' } : { value: raw }
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * A point in time: an ISO 8601 date-time ("2025-01-01T12:00:00Z"), or a duration before now
 * ("90s", "10m", "2h", "1d"; a bare number is seconds). The value is a function of "now", so the
 * route resolves it on the injected clock.
 */
export function sinceParam(raw: string): Parsed<(nowMs: number) => number> {
  const duration = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(raw)
  if (duration !== null) {
    const ms = Number(duration[1]) * UNIT_MS[duration[2] ?? 's']!
    return { value: (nowMs) => nowMs - ms }
  }
  if (/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(raw)) {
    const at = Date.parse(raw)
    if (Number.isFinite(at)) return { value: () => at }
  }
  return { rule: 'an ISO 8601 time (2025-01-01T12:00:00Z) or a duration before now (90s, 10m, 2h, 1d)' }
}

/** A Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*, at most 128 characters). */
export function metricNameParam(raw: string): Parsed<string> {
  return /^[a-zA-Z_:][a-zA-Z0-9_:]{0,127}$/.test(raw) ? { value: raw } : { rule: 'a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*, at most 128 characters)' }
}

/** A duration ("10s", "5m", "1h", "1d"; a bare number is seconds) from `minMs` to `maxMs`, in ms. */
export function durationParam(minMs: number, maxMs: number): ParamParser<number> {
  return (raw) => {
    const m = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(raw)
    const ms = m === null ? Number.NaN : Number(m[1]) * UNIT_MS[m[2] ?? 's']!
    return ms >= minMs && ms <= maxMs ? { value: ms } : { rule: `a duration from ${minMs / 1000}s to ${maxMs / 86_400_000}d (10s, 5m, 1h, 1d)` }
  }
}

export const peerStateSet = setOf<PeerState>(PEER_STATES)
export const severitySet = setOf<Severity>(SEVERITIES)
