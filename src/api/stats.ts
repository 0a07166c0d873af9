/**
 * The API server's counters, read by the Prometheus collectors in src/metrics at scrape time
 * (route and status class are small fixed label sets, so they map to labelled counters directly).
 */
import type { ErrorCode } from '../errors.ts'
import { API_ROUTE_NAMES, type ApiRouteName } from './routes.ts'

export type StatusClass = '2xx' | '4xx' | '5xx'

/** What the HTTP parser cut a connection for (see clientErrors). */
export const CLIENT_ERROR_KINDS = ['timeout', 'headers_too_large', 'malformed', 'reset'] as const
export type ClientErrorKind = (typeof CLIENT_ERROR_KINDS)[number]

/** Totals since start, as a snapshot (safe to keep and compare). */
export interface ApiServerStats {
  connectionsActive: number
  connectionsTotal: number
  /** Connections over connectionsMax, answered 429 and closed. */
  connectionsRejected: number
  /** Connections over twice connectionsMax, closed without an answer. */
  connectionsDropped: number
  /** Connections cut by the HTTP parser: malformed requests and timeouts (400/408/431). */
  clientErrors: number
  /** clientErrors by kind. */
  clientErrorsByKind: Record<ClientErrorKind, number>
  /** Error answers by code (403 ADMIN_SOCKET_REQUIRED, 413 PAYLOAD_TOO_LARGE, 429...); codes never sent are absent. */
  errorsByCode: Partial<Record<ErrorCode, number>>
  /** Event streams open now, opened since start, and cut for reading too slowly (SLOW_CONSUMER). */
  streamsActive: number
  streamsTotal: number
  streamsDropped: number
  /** GET /v1/view answers served from the serialized-view cache (see limits.ts). */
  viewCacheHits: number
  /** Answered requests by route and status class. */
  requests: Record<ApiRouteName, Record<StatusClass, number>>
}

export function statusClass(status: number): StatusClass {
  return status < 400 ? '2xx' : status < 500 ? '4xx' : '5xx'
}

export function emptyRequests(): Record<ApiRouteName, Record<StatusClass, number>> {
  const requests = {} as Record<ApiRouteName, Record<StatusClass, number>>
  for (const route of API_ROUTE_NAMES) requests[route] = { '2xx': 0, '4xx': 0, '5xx': 0 }
  return requests
}

/**
 * The totals of several listeners (the read and the admin socket), as /metrics reports one API.
 * Undefined when none serves.
 */
export function sumStats(all: readonly (ApiServerStats | undefined)[]): ApiServerStats | undefined {
  const present = all.filter((s): s is ApiServerStats => s !== undefined)
  const [first, ...rest] = present
  if (first === undefined) return undefined
  const total: ApiServerStats = { ...first, requests: structuredClone(first.requests), clientErrorsByKind: { ...first.clientErrorsByKind }, errorsByCode: { ...first.errorsByCode } }
  for (const s of rest) {
    total.connectionsActive += s.connectionsActive
    total.connectionsTotal += s.connectionsTotal
    total.connectionsRejected += s.connectionsRejected
    total.connectionsDropped += s.connectionsDropped
    total.clientErrors += s.clientErrors
    total.streamsActive += s.streamsActive
    total.streamsTotal += s.streamsTotal
    total.streamsDropped += s.streamsDropped
    total.viewCacheHits += s.viewCacheHits
    for (const kind of CLIENT_ERROR_KINDS) total.clientErrorsByKind[kind] += s.clientErrorsByKind[kind]
    for (const [code, n] of Object.entries(s.errorsByCode) as [ErrorCode, number][]) total.errorsByCode[code] = (total.errorsByCode[code] ?? 0) + n
    for (const route of API_ROUTE_NAMES) {
      for (const cls of ['2xx', '4xx', '5xx'] as const) total.requests[route][cls] += s.requests[route][cls]
    }
  }
  return total
}

export function emptyClientErrors(): Record<ClientErrorKind, number> {
  return { timeout: 0, headers_too_large: 0, malformed: 0, reset: 0 }
}
