/**
 * The socket API's routes, as a pure function from (method, request target) to either a handler
 * over the backend or an error. No I/O here: the server (server.ts) owns sockets, limits,
 * serialization and streaming, so the routing rules can be read, and tested, on their own.
 *
 *   GET /v1/view                  -> ClusterView
 *   GET /v1/self                  -> SelfView
 *   GET /v1/peers/{id-or-name}    -> PeerDetail, or 404 PEER_NOT_FOUND
 *   GET /v1/health                -> HealthReport with 200 / 429 / 503 (?format=json|text)
 *   GET /v1/alerts                -> AlertsResponse (?state, severity, peer, matcher, since, until, limit)
 *   GET /v1/alerts/history        -> AlertHistoryResponse (?before, since, until, limit), newest first
 *   GET /v1/silences              -> SilencesResponse
 *   POST /v1/silences             -> SilenceView (body SilenceRequest), 400 SILENCE_INVALID, 409 SILENCES_FULL
 *   DELETE /v1/silences/{id}      -> SilenceView (expired), 404 SILENCE_NOT_FOUND
 *   POST /v1/members/{id-or-name}/force-leave -> ForceLeaveResponse, 404 PEER_NOT_FOUND, 409 MEMBER_ALIVE
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
import { ALERT_HISTORY_LIMIT_MAX, ALERTS_LIMIT_MAX, parseMatcherList, type AlertFilter } from './alert-views.ts'
import { ALERT_STATE_NAMES, type AlertHistoryResponse, type AlertsResponse, type SilenceRequest, type SilenceView } from './alert-protocol.ts'
import type { CompiledMatcher } from '../alerts/matchers.ts'
import { HealthmonError } from '../errors.ts'
import { healthLine, httpStatusForHealth } from './health.ts'
import { checkInNote } from './check-in-body.ts'
import type { ChecksResponse, ClusterView, EventEntry, EventsResponse, HealthReport, HistoryResponse, PeerDetail } from './protocol.ts'
import {
  durationParam, integerParam, metricNameParam, oneOf, parseQuery, setOf, severitySet, sinceParam, textParam, type ParamParser, type ParamSpec, type ParamValues
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

/** Alerting (src/daemon-alerts.ts implements it). Methods may throw a HealthmonError; its code is the answer. */
export interface AlertsBackend {
  alerts(filter: AlertFilter): AlertsResponse
  history(query: { beforeId?: number; sinceMs?: number; untilMs?: number; limit: number }): AlertHistoryResponse
  silences(): SilenceView[]
  addSilence(request: SilenceRequest): SilenceView
  expireSilence(id: string): SilenceView
}

export type ForceLeaveOutcome =
  | { ok: true; id: string; name: string; cluster: boolean }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'alive'; state: string }

/** What the server reads from the rest of the agent. Implementations may throw; callers get 503. */
export interface ApiBackend {
  /** The whole local view (GET /v1/view). */
  view(): ClusterView
  /** One peer by id, or by name when no id matches; undefined when neither does. */
  peer(idOrName: string): PeerDetail | undefined
  /** Alerting; absent: 503 on its routes. */
  readonly alerts?: AlertsBackend
  /** An operator's force-leave of a dead member; absent: 503. */
  forceLeave?(idOrName: string): ForceLeaveOutcome
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
export type ApiRouteName = 'view' | 'self' | 'peer' | 'health' | 'alerts' | 'alerts_history' | 'silences' | 'silence' | 'force_leave' | 'events' | 'events_stream' | 'metrics' | 'metrics_history' | 'checks' | 'check_in' | 'other'
export const API_ROUTE_NAMES: readonly ApiRouteName[] = ['view', 'self', 'peer', 'health', 'alerts', 'alerts_history', 'silences', 'silence', 'force_leave', 'events', 'events_stream', 'metrics', 'metrics_history', 'checks', 'check_in', 'other']

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
  /** The request's method (a route may answer several). */
  method: string
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
  /** 'admin-for-writes': its GET/HEAD are read routes, its other methods admin ones (GET and POST /v1/silences). */
  access: RouteAccess | 'admin-for-writes'
  /** Parses the query; a string is the 400's message. */
  bind(pathname: string, query: string): RouteHandler | string
}

const matcherParam: ParamParser<CompiledMatcher[]> = (raw) => {
  try {
    return { value: parseMatcherList(raw) }
  } catch (err) {
    return { rule: `label matchers such as alertname="PeerDead",peer=~"web-.*" (${(err as Error).message})` }
  }
}

function define<S extends ParamSpec>(
  route: ApiRouteName,
  params: S,
  handle: (backend: ApiBackend, values: ParamValues<S>, context: RouteContext) => RouteOutcome | Promise<RouteOutcome>,
  methods: readonly string[] = READ_METHODS,
  access: RouteDefinition['access'] = 'read'
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
    state: setOf(ALERT_STATE_NAMES), severity: severitySet, peer: textParam, matcher: matcherParam, since: sinceParam, until: sinceParam, limit: integerParam(1, ALERTS_LIMIT_MAX)
  }, (backend, q, context) => withAlerts(backend, (alerts) => ({
    json: alerts.alerts({ state: q.state, severity: q.severity, peer: q.peer, matchers: q.matcher, sinceMs: q.since?.(context.nowMs), untilMs: q.until?.(context.nowMs), limit: q.limit })
  }))),
  '/v1/alerts/history': define('alerts_history', {
    before: integerParam(1, Number.MAX_SAFE_INTEGER), since: sinceParam, until: sinceParam, limit: integerParam(1, ALERT_HISTORY_LIMIT_MAX)
  }, (backend, q, context) => withAlerts(backend, (alerts) => ({
    json: alerts.history({ beforeId: q.before, sinceMs: q.since?.(context.nowMs), untilMs: q.until?.(context.nowMs), limit: q.limit ?? 100 })
  }))),
  '/v1/silences': define('silences', {}, (backend, _q, context) => withAlerts(backend, (alerts) => {
    if (context.method !== 'POST') return { json: { silences: alerts.silences() } }
    const request = jsonBody(context.body, 'a silence: {"matchers": ["alertname=PeerDead"], "duration": "2h", "createdBy": "...", "comment": "..."}')
    if ('code' in request) return { error: request }
    return { json: alerts.addSilence(request.value as SilenceRequest), status: 201 }
  }), ['GET', 'HEAD', 'POST'], 'admin-for-writes'),
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

/** Runs `fn` on the alerting backend, turning its coded errors into answers. */
function withAlerts(backend: ApiBackend, fn: (alerts: AlertsBackend) => RouteOutcome): RouteOutcome {
  if (backend.alerts === undefined) return { error: { code: 'UNAVAILABLE', message: 'alerting is not running on this agent' } }
  try {
    return fn(backend.alerts)
  } catch (err) {
    if (err instanceof HealthmonError) return { error: { code: err.code, message: err.message } }
    throw err
  }
}

/** A JSON object body, or the 400 naming what was expected. */
function jsonBody(body: Buffer, expected: string): { value: object } | RouteError {
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return { code: 'BAD_REQUEST', message: `the body must be JSON: ${expected}` }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { code: 'BAD_REQUEST', message: `the body must be a JSON object: ${expected}` }
  return { value: parsed }
}

const SILENCES_PREFIX = '/v1/silences/'

function silenceRoute(id: string): RouteDefinition {
  return define('silence', {}, (backend) => withAlerts(backend, (alerts) => ({ json: alerts.expireSilence(id) })), ['DELETE'], 'admin')
}

const MEMBERS_PREFIX = '/v1/members/'
const FORCE_LEAVE_SUFFIX = '/force-leave'

function forceLeaveRoute(idOrName: string): RouteDefinition {
  return define('force_leave', {}, (backend) => {
    if (backend.forceLeave === undefined) return { error: { code: 'UNAVAILABLE', message: 'force-leave is not available on this agent' } }
    const outcome = backend.forceLeave(idOrName)
    if (outcome.ok) return { json: { id: outcome.id, name: outcome.name, cluster: outcome.cluster } }
    if (outcome.reason === 'not-found') return { error: { code: 'PEER_NOT_FOUND', message: `no member with id or name "${idOrName}" is known` } }
    return { error: { code: 'MEMBER_ALIVE', message: `"${idOrName}" is ${outcome.state} in this node's view; only a dead member can be forced out (stop it, wait until it is dead, or let it leave by itself)` } }
  }, ['POST'], 'admin')
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
  let kind: 'peer' | 'check_in' | 'silence' | 'force_leave' = checkIn !== undefined ? 'check_in' : 'peer'
  if (fixed === undefined && encodedId === undefined && pathname.startsWith(SILENCES_PREFIX)) {
    const segment = pathname.slice(SILENCES_PREFIX.length)
    if (segment !== '' && !segment.includes('/')) { encodedId = segment; kind = 'silence' }
  } else if (fixed === undefined && encodedId === undefined && pathname.startsWith(MEMBERS_PREFIX) && pathname.endsWith(FORCE_LEAVE_SUFFIX)) {
    const segment = pathname.slice(MEMBERS_PREFIX.length, pathname.length - FORCE_LEAVE_SUFFIX.length)
    if (segment !== '' && !segment.includes('/')) { encodedId = segment; kind = 'force_leave' }
  }
  if (fixed === undefined && encodedId === undefined) {
    return { route: 'other', error: { code: 'NOT_FOUND', message: `no such path: ${pathname}` } }
  }
  const route: ApiRouteName = fixed?.route ?? kind
  const methods = fixed?.methods ?? (kind === 'peer' ? READ_METHODS : kind === 'silence' ? ['DELETE'] : ['POST'])

  if (!methods.includes(method)) {
    return { route, error: { code: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${pathname}; use ${methods[0]}` }, allow: methods.join(', ') }
  }
  let definition = fixed
  if (encodedId !== undefined) {
    let id: string
    try {
      id = decodeURIComponent(encodedId)
    } catch {
      return { route, error: { code: 'BAD_REQUEST', message: `malformed percent-encoding in ${kind === 'check_in' ? 'check' : kind === 'silence' ? 'silence' : 'member'} "${encodedId}"` } }
    }
    definition = kind === 'check_in' ? checkInRoute(id, checkIn!) : kind === 'silence' ? silenceRoute(id) : kind === 'force_leave' ? forceLeaveRoute(id) : peerRoute(id)
  }
  const declared = definition!.access
  const access: RouteAccess = declared === 'admin-for-writes' ? (READ_METHODS.includes(method) ? 'read' : 'admin') : declared
  const run = definition!.bind(pathname, query)
  if (typeof run === 'string') return { route, access, error: { code: 'BAD_REQUEST', message: run } }
  return { route, access, run }
}
