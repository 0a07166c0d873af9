/**
 * The optional read-only TCP listener (config httpListen, off by default): what Prometheus
 * scrapes, what load balancers and Kubernetes probe, and where the dashboard is served. It is the
 * socket API's own server (server.ts: the same limits, timeouts, routing and streams) behind a
 * gate that adds this listener's rules:
 *
 * 1. GET and HEAD only: any other method is 405, on any path, so no write route (check-ins,
 *    silences, admin) can ever be reached here, whatever routes.ts gains later.
 * 2. The dashboard's static files (src/dashboard/assets.ts), served without a token: they are
 *    the same for everyone and hold no data; the page asks for the token and sends it itself.
 * 3. With httpTokenFile: `Authorization: Bearer TOKEN` on every data path, else 401.
 * 4. An explicit allow-list of read paths (HTTP_LISTENER_PATHS); every other path is 404, so a
 *    route added to routes.ts is not exposed on TCP until it is added here on purpose.
 */
import { resolveLimits } from './limits.ts'
import type { BearerToken } from './http-auth.ts'
import { ALLOWED_METHODS } from './routes.ts'
import { ApiHttpServer, type ApiHandlerOptions, type ApiServerStats, type GateAnswer, type RequestGate } from './server.ts'
import type { DashboardAssets } from '../dashboard/assets.ts'

/** The read-only paths served on TCP; /v1/metrics/history feeds the dashboard's sparklines. */
export const HTTP_LISTENER_PATHS: readonly string[] = ['/metrics', '/v1/health', '/v1/view', '/v1/alerts', '/v1/events/stream', '/v1/metrics/history']

const READ_METHODS = new Set(['GET', 'HEAD'])

export interface HttpListenerOptions extends ApiHandlerOptions {
  host: string
  /** 0 picks a free port; `address` tells which. */
  port: number
  /** When set, data paths require it as a bearer token. */
  token?: BearerToken
  dashboard: DashboardAssets
}

export interface HttpListener {
  /** The bound address, with the real port. */
  readonly host: string
  readonly port: number
  /** http://host:port/ (brackets around an IPv6 host). */
  readonly url: string
  stats(): ApiServerStats
  /** Stops accepting and ends its connections. Idempotent. */
  close(): Promise<void>
}

/** The listener's rules (see the file comment), in order. */
export function httpListenerGate(options: { token: BearerToken | undefined; dashboard: DashboardAssets }): RequestGate {
  const allowed = new Set(HTTP_LISTENER_PATHS)
  return (req, route): GateAnswer | undefined => {
    const method = req.method ?? ''
    const target = req.url ?? ''
    const queryAt = target.indexOf('?')
    const pathname = queryAt < 0 ? target : target.slice(0, queryAt)
    if (!READ_METHODS.has(method)) {
      return { route, error: { code: 'METHOD_NOT_ALLOWED', message: `the HTTP listener is read-only: ${method} is not allowed; use GET (writes go through the agent's unix socket)` }, allow: ALLOWED_METHODS }
    }
    if (options.dashboard.owns(pathname)) {
      const asset = options.dashboard.lookup(pathname)
      if (asset === undefined) return { route: 'other', error: { code: 'UNAVAILABLE', message: options.dashboard.missing ?? 'the dashboard is not built' } }
      return { route: 'other', body: asset.body, contentType: asset.contentType }
    }
    if (options.token !== undefined && !options.token.accepts(req.headers.authorization)) {
      return {
        route,
        error: { code: 'UNAUTHORIZED', message: 'this listener requires Authorization: Bearer TOKEN (the token in the agent\'s httpTokenFile)' },
        headers: { 'www-authenticate': 'Bearer realm="healthmon"' }
      }
    }
    if (!allowed.has(pathname)) {
      return { route, error: { code: 'NOT_FOUND', message: `${pathname} is not served on the HTTP listener, which serves ${HTTP_LISTENER_PATHS.join(', ')} and the dashboard; use the agent's unix socket for the rest` } }
    }
    return undefined
  }
}

/** Starts the listener; resolves once it is bound. A bind failure is a ConfigError naming httpListen. */
export async function startHttpListener(options: HttpListenerOptions): Promise<HttpListener> {
  const settings = resolveLimits(options)
  const server = new ApiHttpServer(options, settings, httpListenerGate({ token: options.token, dashboard: options.dashboard }))
  await server.listen({ host: options.host, port: options.port }, 'httpListen')
  const bound = server.tcpAddress()
  const host = bound?.address ?? options.host
  const port = bound?.port ?? options.port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`
  const logger = options.logger
  if (!options.dashboard.built) logger.warn(options.dashboard.missing ?? 'the dashboard is not built')
  logger.info({ url, token: options.token !== undefined }, 'http listener serving (read-only)')
  return {
    host,
    port,
    url,
    stats: () => server.stats(),
    close: () => server.close(async () => { logger.info({ url }, 'http listener stopped') })
  }
}
