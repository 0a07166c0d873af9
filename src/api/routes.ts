/**
 * The socket API's routes, as a pure function from (method, request target) to either a handler
 * over the backend or an error. No I/O here: the server (server.ts) owns sockets, limits and
 * serialization, so the routing rules can be read, and tested, on their own.
 *
 *   GET /v1/view                  -> ClusterView
 *   GET /v1/self                  -> SelfView
 *   GET /v1/peers/{id-or-name}    -> PeerDetail, or 404 PEER_NOT_FOUND
 *   GET /v1/alerts                -> AlertsResponse
 *
 * HEAD is accepted wherever GET is. No route takes query parameters: an unknown parameter is a
 * 400 rather than silently ignored, so a typo never looks like a filter that worked.
 */
import type { ErrorCode } from '../errors.ts'
import type { AlertEntry, AlertsResponse, ClusterView, PeerDetail } from './protocol.ts'

/** What the server reads from the rest of the agent. Implementations may throw; callers get 503. */
export interface ApiBackend {
  /** The whole local view (GET /v1/view). */
  view(): ClusterView
  /** One peer by id, or by name when no id matches; undefined when neither does. */
  peer(idOrName: string): PeerDetail | undefined
  /** The local alert log, oldest first. */
  alerts(): AlertEntry[]
}

/** Route labels used in stats (and later as Prometheus label values): a fixed, small set. */
export type ApiRouteName = 'view' | 'self' | 'peer' | 'alerts' | 'other'
export const API_ROUTE_NAMES: readonly ApiRouteName[] = ['view', 'self', 'peer', 'alerts', 'other']

export interface RouteError {
  code: ErrorCode
  message: string
}

/** A handler's outcome: a body to send with 200, or a coded error. */
export type RouteOutcome = { body: unknown } | { error: RouteError }

export type RouteMatch =
  | { route: ApiRouteName; run: (backend: ApiBackend) => RouteOutcome }
  | { route: ApiRouteName; error: RouteError; allow?: string }

/** Methods every route accepts, as sent in the Allow header of a 405. */
export const ALLOWED_METHODS = 'GET, HEAD'

const PEERS_PREFIX = '/v1/peers/'

function fixedRoute(pathname: string): { route: ApiRouteName; run: (backend: ApiBackend) => RouteOutcome } | undefined {
  switch (pathname) {
    case '/v1/view':
      return { route: 'view', run: (backend) => ({ body: backend.view() }) }
    case '/v1/self':
      return { route: 'self', run: (backend) => ({ body: backend.view().self }) }
    case '/v1/alerts':
      return { route: 'alerts', run: (backend) => ({ body: { alerts: backend.alerts() } satisfies AlertsResponse }) }
    default:
      return undefined
  }
}

function peerRoute(idOrName: string): (backend: ApiBackend) => RouteOutcome {
  return (backend) => {
    const peer = backend.peer(idOrName)
    if (peer === undefined) return { error: { code: 'PEER_NOT_FOUND', message: `no peer with id or name "${idOrName}" is known` } }
    return { body: peer }
  }
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

  let found: { route: ApiRouteName; run: (backend: ApiBackend) => RouteOutcome } | undefined = fixedRoute(pathname)
  let encodedId: string | undefined
  if (found === undefined && pathname.startsWith(PEERS_PREFIX)) {
    const segment = pathname.slice(PEERS_PREFIX.length)
    if (segment !== '' && !segment.includes('/')) encodedId = segment
  }
  if (found === undefined && encodedId === undefined) {
    return { route: 'other', error: { code: 'NOT_FOUND', message: `no such path: ${pathname}` } }
  }
  const route: ApiRouteName = found?.route ?? 'peer'

  if (method !== 'GET' && method !== 'HEAD') {
    return { route, error: { code: 'METHOD_NOT_ALLOWED', message: `${method} is not allowed on ${pathname}; use GET` }, allow: ALLOWED_METHODS }
  }
  if (query !== '') {
    const names = [...new URLSearchParams(query).keys()]
    return { route, error: { code: 'BAD_REQUEST', message: `${pathname} takes no query parameters (got ${names.map((n) => `"${n}"`).join(', ') || `"${query}"`})` } }
  }
  if (encodedId !== undefined) {
    let idOrName: string
    try {
      idOrName = decodeURIComponent(encodedId)
    } catch {
      return { route, error: { code: 'BAD_REQUEST', message: `malformed percent-encoding in peer "${encodedId}"` } }
    }
    found = { route, run: peerRoute(idOrName) }
  }
  return found!
}
