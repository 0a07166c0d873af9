/**
 * The socket API's routes, as a pure function from (method, request target) to either a handler
 * over the backend or an error. No I/O here: the server (server.ts) owns sockets, limits,
 * serialization and streaming, so the routing rules can be read, and tested, on their own.
 *
 *   GET /v1/view                  -> ClusterView
 *   GET /v1/self                  -> SelfView
 *   GET /v1/peers/{id-or-name}    -> PeerDetail, or 404 PEER_NOT_FOUND
 *   GET /v1/health                -> HealthReport with 200 / 429 / 503 (?format=json|text)
 *   GET /v1/alerts                -> AlertsResponse (?state, severity, peer, since, limit)
 *   GET /v1/events                -> EventsResponse (?after, limit)
 *   GET /v1/events/stream         -> NDJSON stream of StreamLine (?after)
 *   GET /v1/metrics/history       -> HistoryResponse (?name, since, step), 404 METRIC_NOT_FOUND
 *   GET /metrics                  -> Prometheus text format
 *   GET /v1/checks                -> ChecksResponse
 *   POST /v1/checks/{id}/pass|warn|fail -> CheckDetail (a TTL check's check-in; body {"note"}),
 *                                    admin socket only (403 ADMIN_SOCKET_REQUIRED on the read socket),
 *                                    404 CHECK_NOT_FOUND, 400 CHECK_NOT_TTL
 *
 * HEAD is accepted wherever GET is; each route declares its methods (405 with Allow otherwise). Each
 * route declares its access: 'read' routes are served on every socket, 'admin' routes (anything that
 * changes state) only on the admin socket; the server enforces it per listener (403
 * ADMIN_SOCKET_REQUIRED elsewhere, see access.ts). Each route declares its query parameters (query.ts); an
 * unknown one, a repeated one or a bad value is a 400 naming the parameter. Full reference:
 * src/api/API.md.
 */
import { CHECK_IN_STATUSES, type CheckDetail, type CheckInOutcome, type CheckInStatus } from '../checks/check-view.ts'
import type { ErrorCode } from '../errors.ts'
import type { AlertEvent, HealthEventName, PeerEvent } from '../events.ts'
import { filterAlerts, ALERTS_LIMIT_MAX } from './alerts-filter.ts'
import { healthLine, httpStatusForHealth } from './health.ts'
import { checkInNote } from './check-in-body.ts'
import type { AlertEntry, ChecksResponse, ClusterView, EventEntry, EventsResponse, HealthReport, HistoryResponse, PeerDetail } from './protocol.ts'
import {
  durationParam, integerParam, metricNameParam, oneOf, parseQuery, peerStateSet, severitySet, sinceParam, textParam, type ParamSpec, type ParamValues
} from './query.ts'

/** One event as the agent's event log holds it (src/event-log.ts). */
export interface FeedEvent {
  id: number
  type: HealthEventName
  /** Epoch milliseconds. */
  atMs: number
  data: PeerEvent | AlertEvent
}

/** The numbered, bounded event log, read incrementally and followed live. */
export interface EventFeed {
  /** The oldest id still held (lastId + 1 when empty). */
  readonly firstId: number
  /** The newest id (0 when none yet). */
  readonly lastId: number
  /** Events with id > afterId, oldest first, at most `limit`. */
  after(afterId: number, limit: number): readonly FeedEvent[]
  /** Calls `listener` synchronously for each new event; returns the unsubscribe function. */
  subscribe(listener: (event: FeedEvent) => void): () => void
}

/** Prometheus exposition: the text and its content type. */
export interface MetricsExposition {
  contentType: string
  text: string
}

/** The custom checks (src/checks/scheduler.ts implements it). */
export interface ChecksBackend {
  /** Every configured check, in config order. */
  details(): CheckDetail[]
  /** A TTL check's check-in. */
  checkIn(id: string, status: CheckInStatus, note: string | undefined): CheckInOutcome
}

/** What the server reads from the rest of the agent. Implementations may throw; callers get 503. */
export interface ApiBackend {
  /** The whole local view (GET /v1/view). */
  view(): ClusterView
  /** One peer by id, or by name when no id matches; undefined when neither does. */
  peer(idOrName: string): PeerDetail | undefined
  /** The local alert log, oldest first. */
  alerts(): AlertEntry[]
  /** The node's aggregated health (see health.ts). */
  health(): HealthReport
  /** The event log, for GET /v1/events and the stream. */
  readonly events: EventFeed
  /** The Prometheus exposition for GET /metrics. */
  metrics(): Promise<MetricsExposition>
  /** The custom checks; absent means none are configured. */
  readonly checks?: ChecksBackend
  /**
   * Metric history (src/store/metric-history.ts): one metric's series over [sinceMs, nowMs], at
   * `stepMs` or a step the store picks; undefined when no series has that name. Absent when the
   * agent keeps no history (503).
   */
  history?(query: HistoryRequest): HistoryResponse | undefined
}

export interface HistoryRequest {
  name: string
  sinceMs: number
  untilMs: number
  stepMs: number | undefined
}

/** Most points per series one GET /v1/metrics/history returns; the default step keeps to HISTORY_POINTS_DEFAULT. */
export const HISTORY_POINTS_MAX = 10_000
export const HISTORY_POINTS_DEFAULT = 360
/** Default range of GET /v1/metrics/history: the last hour. */
export const HISTORY_SINCE_DEFAULT_MS = 3_600_000

/** Route labels used in stats and as Prometheus label values: a fixed, small set. */
export type ApiRouteName = 'view' | 'self' | 'peer' | 'health' | 'alerts' | 'events' | 'events_stream' | 'metrics' | 'metrics_history' | 'checks' | 'check_in' | 'other'
export const API_ROUTE_NAMES: readonly ApiRouteName[] = ['view', 'self', 'peer', 'health', 'alerts', 'events', 'events_stream', 'metrics', 'metrics_history', 'checks', 'check_in', 'other']

/** Most events one GET /v1/events returns (and its default). */
export const EVENTS_LIMIT_MAX = 1000

export interface RouteError {
  code: ErrorCode
  message: string
}

/** What a handler's answer is made of, once run. */
export type RouteOutcome =
  /** A JSON body, with 200 unless `status` says otherwise. */
  | { json: unknown; status?: number }
  /** A text body (GET /metrics, ?format=text). */
  | { text: string; contentType: string; status?: number }
  | { error: RouteError }
  /** An NDJSON event stream, replaying from `after` when given. */
  | { stream: { after: number | undefined } }

export interface RouteContext {
  /** Epoch ms on the server's clock, for relative times such as `since=10m`. */
  nowMs: number
  /** The request body as received (empty when none); at most the server's requestBodyBytesMax. */
  body: Buffer
}

export type RouteHandler = (backend: ApiBackend, context: RouteContext) => RouteOutcome | Promise<RouteOutcome>

/**
 * Who may call a route: 'read' on any socket, 'admin' only on the admin socket (owner-only file
 * mode), because it changes the agent's state.
 */
export type RouteAccess = 'read' | 'admin'

export type RouteMatch =
  | { route: ApiRouteName; access: RouteAccess; run: RouteHandler }
  | { route: ApiRouteName; access?: RouteAccess; error: RouteError; allow?: string }

/** Methods the read routes accept, as sent in the Allow header of a 405. */
export const ALLOWED_METHODS = 'GET, HEAD'
const READ_METHODS: readonly string[] = ['GET', 'HEAD']

interface RouteDefinition {
  route: ApiRouteName
  /** The methods it answers; others get a 405. */
  methods: readonly string[]
  access: RouteAccess
  /** Parses the query; a string is the 400's message. */
  bind(pathname: string, query: string): RouteHandler | string
}

function define<S extends ParamSpec>(
  route: ApiRouteName,
  params: S,
  handle: (backend: ApiBackend, values: ParamValues<S>, context: RouteContext) => RouteOutcome | Promise<RouteOutcome>,
  methods: readonly string[] = READ_METHODS,
  access: RouteAccess = 'read'
): RouteDefinition {
  return {
    route,
    methods,
    access,
    bind(pathname, query) {
      const values = parseQuery(pathname, query, params)
      if (typeof values === 'string') return values
      return (backend, context) => handle(backend, values, context)
    }
  }
}

export function eventEntry(event: FeedEvent): EventEntry {
  return { id: event.id, type: event.type, at: new Date(event.atMs).toISOString(), data: event.data }
}

const FIXED_ROUTES: Readonly<Record<string, RouteDefinition>> = {
  '/v1/view': define('view', {}, (backend) => ({ json: backend.view() })),
  '/v1/self': define('self', {}, (backend) => ({ json: backend.view().self })),
  '/v1/health': define('health', { format: oneOf(['json', 'text'] as const) }, (backend, q) => {
    const report = backend.health()
    const status = httpStatusForHealth(report.status)
    return q.format === 'text'
      ? { text: `${healthLine(report)}\n`, contentType: 'text/plain; charset=utf-8', status }
      : { json: report, status }
  }),
  '/v1/alerts': define('alerts', {
    state: peerStateSet, severity: severitySet, peer: textParam, since: sinceParam, limit: integerParam(1, ALERTS_LIMIT_MAX)
  }, (backend, q, context) => ({
    json: filterAlerts(backend.alerts(), { state: q.state, severity: q.severity, peer: q.peer, sinceMs: q.since?.(context.nowMs), limit: q.limit })
  })),
  '/v1/events': define('events', { after: integerParam(0, Number.MAX_SAFE_INTEGER), limit: integerParam(1, EVENTS_LIMIT_MAX) }, (backend, q) => {
    const feed = backend.events
    const body: EventsResponse = { events: feed.after(q.after ?? 0, q.limit ?? EVENTS_LIMIT_MAX).map(eventEntry), firstId: feed.firstId, lastId: feed.lastId }
    return { json: body }
  }),
  '/v1/events/stream': define('events_stream', { after: integerParam(0, Number.MAX_SAFE_INTEGER) }, (_backend, q) => ({ stream: { after: q.after } })),
  '/v1/metrics/history': define('metrics_history', {
    name: metricNameParam, since: sinceParam, step: durationParam(10_000, 30 * 86_400_000)
  }, (backend, q, context) => {
    if (q.name === undefined) return { error: { code: 'BAD_REQUEST', message: 'query parameter "name" is required (a metric name, e.g. node_load1)' } }
    if (backend.history === undefined) return { error: { code: 'UNAVAILABLE', message: 'this agent keeps no metric history (historyEnabled is false)' } }
    const untilMs = context.nowMs
    const sinceMs = q.since?.(untilMs) ?? untilMs - HISTORY_SINCE_DEFAULT_MS
    if (sinceMs >= untilMs) return { error: { code: 'BAD_REQUEST', message: 'query parameter "since" must be in the past' } }
    if (q.step !== undefined && (untilMs - sinceMs) / q.step > HISTORY_POINTS_MAX) {
      return { error: { code: 'BAD_REQUEST', message: `since and step ask for more than ${HISTORY_POINTS_MAX} points per series; use a larger step` } }
    }
    const result = backend.history({ name: q.name, sinceMs, untilMs, stepMs: q.step })
    if (result === undefined) return { error: { code: 'METRIC_NOT_FOUND', message: `no history for metric "${q.name}"` } }
    return { json: result }
  }),
  '/metrics': define('metrics', {}, async (backend) => {
    const { contentType, text } = await backend.metrics()
    return { text, contentType }
  }),
  '/v1/checks': define('checks', {}, (backend, _q, context) => {
    const body: ChecksResponse = { checks: backend.checks?.details() ?? [], generatedAt: new Date(context.nowMs).toISOString() }
    return { json: body }
  })
}

const CHECKS_PREFIX = '/v1/checks/'

function checkInRoute(id: string, status: CheckInStatus): RouteDefinition {
  return define('check_in', {}, (backend, _q, context) => {
    const note = checkInNote(context.body)
    if (typeof note === 'object') return { error: note }
    const outcome = backend.checks?.checkIn(id, status, note) ?? { ok: false, reason: 'not-found', message: `no check with id "${id}" is configured` }
    if (outcome.ok) return { json: outcome.check }
    const code: ErrorCode = outcome.reason === 'not-found' ? 'CHECK_NOT_FOUND' : outcome.reason === 'not-ttl' ? 'CHECK_NOT_TTL' : 'BAD_REQUEST'
    return { error: { code, message: outcome.message } }
  }, ['POST'], 'admin')
}

const PEERS_PREFIX = '/v1/peers/'

function peerRoute(idOrName: string): RouteDefinition {
  return define('peer', {}, (backend) => {
    const peer = backend.peer(idOrName)
    if (peer === undefined) return { error: { code: 'PEER_NOT_FOUND', message: `no peer with id or name "${idOrName}" is known` } }
    return { json: peer }
  })
}

/**
 * Matches a request. `target` is the raw request target from the request line; only the
 * origin form (`/path?query`) is accepted. Precedence: unknown path (404) before wrong method
 * (405) before bad query or encoding (400), so the Allow header is only ever sent for real paths.
 */
export function matchRoute(method: string, target: string): RouteMatch {
  if (!target.startsWith('/')) {
    return { route: 'other', error: { code: 'BAD_REQUEST', message: 'the request target must be a path starting with "/"' } }
  }
  const queryAt = target.indexOf('?')
  const pathname = queryAt < 0 ? target : target.slice(0, queryAt)
  const query = queryAt < 0 ? '' : target.slice(queryAt + 1)

  const fixed = Object.hasOwn(FIXED_ROUTES, pathname) ? FIXED_ROUTES[pathname] : undefined
  let encodedId: string | undefined
  let checkIn: CheckInStatus | undefined
  if (fixed === undefined && pathname.startsWith(PEERS_PREFIX)) {
    const segment = pathname.slice(PEERS_PREFIX.length)
    if (segment !== '' && !segment.includes('/')) encodedId = segment
  } else if (fixed === undefined && pathname.startsWith(CHECKS_PREFIX)) {
    const [segment = '', status, ...more] = pathname.slice(CHECKS_PREFIX.length).split('/')
    if (segment !== '' && more.length === 0 && CHECK_IN_STATUSES.includes(status as CheckInStatus)) {
      encodedId = segment
      checkIn = status as CheckInStatus
    }
  }
  if (fixed === undefined && encodedId === undefined) {
    return { route: 'other', error: { code: 'NOT_FOUND', message: `no such path: ${pathname}` } }
  }
  const route: ApiRouteName = fixed?.route ?? (checkIn !== undefined ? 'check_in' : 'peer')
  const methods = fixed?.methods ?? (checkIn !== undefined ? ['POST'] : READ_METHODS)

  if (!methods.includes(method)) {
    return { route, error: { code: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${pathname}; use ${methods[0]}` }, allow: methods.join(', ') }
  }
  let definition = fixed
  if (encodedId !== undefined) {
    let id: string
    try {
      id = decodeURIComponent(encodedId)
    } catch {
      return { route, error: { code: 'BAD_REQUEST', message: `malformed percent-encoding in ${checkIn !== undefined ? 'check' : 'peer'} "${encodedId}"` } }
    }
    definition = checkIn !== undefined ? checkInRoute(id, checkIn) : peerRoute(id)
  }
  const access = definition!.access
  const run = definition!.bind(pathname, query)
  if (typeof run === 'string') return { route, access, error: { code: 'BAD_REQUEST', message: run } }
  return { route, access, run }
}
