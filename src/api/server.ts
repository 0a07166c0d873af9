/**
 * The agent's local API: HTTP/1.1 + JSON (DESIGN.md §3). Routing is in routes.ts; this file owns
 * connections, limits and timeouts, so that no client, however slow or hostile, can stall the
 * others or the agent. It knows nothing of where it listens: the unix sockets are
 * socket-listener.ts (with socket-file.ts), the read-only TCP listener http-listener.ts, which
 * adds its own rules through a RequestGate, so every listener has one set of limits and one code
 * path. The limits, and why, are documented in limits.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { ConfigError, type ErrorCode } from '../errors.ts'
import { systemClock, type Clock } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'
import { errorJson, statusForCode } from './errors.ts'
import { EventStream, STREAM_CONTENT_TYPE } from './event-stream.ts'
import { HEADER_BYTES_MAX, HEADER_LINES_MAX, type ApiLimitOptions, type ApiLimits } from './limits.ts'
import { matchRoute, type ApiBackend, type ApiRouteName, type RouteError, type RouteMatch, type RouteOutcome } from './routes.ts'
import { parserErrorAnswer, parserErrorKind } from './parser-errors.ts'
import { emptyClientErrors, emptyRequests, statusClass, type ApiServerStats, type StatusClass } from './stats.ts'
import { accessDenied, type ListenerAccess } from './access.ts'
import { ifNoneMatchHits, viewBodyCacheFor, type ViewBody, type ViewBodyCache } from './view-body-cache.ts'

export type { ApiBackend, ApiRouteName, ApiLimitOptions, ApiServerStats, StatusClass }

const NO_BODY = Buffer.alloc(0)

/** What any listener of the API needs: the backend it reads, where it logs, its clock. */
export interface ApiHandlerOptions extends ApiLimitOptions {
  backend: ApiBackend
  logger: Logger
  /** Time for `since=10m`, stream heartbeats and the view cache. Default: the system clock. */
  clock?: Clock
  /**
   * 'read' (default) serves read routes only and answers 403 ADMIN_SOCKET_REQUIRED to admin routes;
   * 'admin' serves every route, owner-only (access.ts). A listener with a RequestGate (the TCP
   * listener) applies its own, stricter rules instead.
   */
  access?: ListenerAccess
  /** The admin socket's path, named in a read listener's 403 so the caller knows where to go. */
  adminSocketPath?: string
  /** The serialized GET /v1/view, shared by the listeners given the same one (all of the daemon's). Default: its own. */
  viewBodies?: ViewBodyCache
}

/**
 * A listener's own rule, applied to each request (body read and limits enforced) before routing:
 * undefined lets it through to the routes; an answer is sent instead of routing.
 */
export type RequestGate = (req: IncomingMessage, route: ApiRouteName) => GateAnswer | undefined

export type GateAnswer =
  /** Refused; `route` is the stats label, `headers` extra response headers (WWW-Authenticate). */
  | { route: ApiRouteName; error: RouteError; allow?: string; headers?: Readonly<Record<string, string>> }
  /** A fixed body (the dashboard's assets). */
  | { route: ApiRouteName; body: Buffer; contentType: string }

/**
 * The HTTP server behind every listener: connections, limits, timeouts, routing, streams. It
 * knows nothing of where it listens beyond `listen()`'s target.
 */
export class ApiHttpServer {
  private readonly backend: ApiBackend
  private readonly logger: Logger
  private readonly settings: ApiLimits
  private readonly server: Server
  private readonly sockets = new Set<Duplex>()
  private readonly overLimit = new WeakSet<Duplex>()
  /** Sockets with a response written but not yet flushed: close() lets those finish. */
  private readonly responding = new Set<Duplex>()
  private readonly counters: ApiServerStats
  private readonly clock: Clock
  private readonly streams = new Set<EventStream>()
  private readonly gate: RequestGate | undefined
  private readonly access: ListenerAccess
  private readonly adminSocketPath: string | undefined
  private readonly viewBodies: ViewBodyCache
  private closing = false
  private closed: Promise<void> | undefined

  constructor(options: ApiHandlerOptions, settings: ApiLimits, gate?: RequestGate) {
    this.gate = gate
    this.access = options.access ?? 'read'
    this.adminSocketPath = options.adminSocketPath
    this.backend = options.backend
    this.logger = options.logger
    this.settings = settings
    this.clock = options.clock ?? systemClock()
    this.viewBodies = options.viewBodies ?? viewBodyCacheFor(options.backend, this.clock, settings)
    this.counters = {
      connectionsActive: 0, connectionsTotal: 0, connectionsRejected: 0, connectionsDropped: 0, clientErrors: 0,
      streamsActive: 0, streamsTotal: 0, streamsDropped: 0, viewCacheHits: 0,
      requests: emptyRequests(),
      clientErrorsByKind: emptyClientErrors(), errorsByCode: {}
    }
    this.server = createServer({
      headersTimeout: settings.headersTimeoutMs,
      requestTimeout: settings.requestTimeoutMs,
      keepAliveTimeout: settings.idleTimeoutMs,
      // node:http checks the two timeouts above on this period; its 30 s default would let a
      // 5 s headers timeout run to 35 s.
      connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(settings.headersTimeoutMs / 4))),
      maxHeaderSize: HEADER_BYTES_MAX,
      // Clients on a unix socket (nc -U, scripts) often omit Host; there is no virtual hosting here.
      requireHostHeader: false,
      // TCP_NODELAY on each TCP connection (node's default, stated as latency depends on it): an
      // answer's last segment goes out at once instead of waiting for the client's ACK (Nagle).
      noDelay: true
    })
    this.server.timeout = settings.idleTimeoutMs
    this.server.maxHeadersCount = HEADER_LINES_MAX
    this.server.maxConnections = 2 * settings.connectionsMax
    this.server.on('connection', (socket: Duplex) => this.onConnection(socket))
    this.server.on('drop', () => { this.counters.connectionsDropped += 1 })
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => this.onClientError(error, socket))
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      try {
        this.onRequest(req, res)
      } catch (error) {
        this.onHandlerBug(res, error)
      }
    })
  }

  /** A bug here, not a backend failure (those are 503): log it, answer 500, keep serving. */
  private onHandlerBug(res: ServerResponse, error: unknown): void {
    this.logger.error({ err: error }, 'api request handler failed')
    if (!res.headersSent) this.send(res, 'other', 500, errorJson('UNAVAILABLE', 'internal error; see the agent log'), { close: true })
    else res.destroy()
  }

  /** Listens on a unix socket path or a TCP address; a failure is a ConfigError against `key`. */
  listen(target: string | { host: string; port: number }, key: string): Promise<void> {
    const shown = typeof target === 'string' ? target : `${target.host}:${target.port}`
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(new ConfigError(key, `cannot listen on ${shown}: ${error.message}`))
      this.server.once('error', onError)
      this.server.listen(target, () => {
        this.server.off('error', onError)
        this.server.on('error', (error) => this.logger.error({ err: error }, 'api server error'))
        resolve()
      })
    })
  }

  /** The bound TCP address (its real port when asked for port 0); undefined on a unix socket. */
  tcpAddress(): AddressInfo | undefined {
    const address = this.server.address()
    return address !== null && typeof address === 'object' ? address : undefined
  }

  stats(): ApiServerStats {
    return {
      ...this.counters, connectionsActive: this.sockets.size, streamsActive: this.streams.size, requests: structuredClone(this.counters.requests),
      clientErrorsByKind: { ...this.counters.clientErrorsByKind }, errorsByCode: { ...this.counters.errorsByCode }
    }
  }

  /** Stops serving; `afterStop` (the listener's own clean-up) runs once, after the last connection ends. Idempotent. */
  close(afterStop?: () => Promise<void>): Promise<void> {
    this.closed ??= this.shutDown(afterStop)
    return this.closed
  }

  private async shutDown(afterStop: (() => Promise<void>) | undefined): Promise<void> {
    this.closing = true
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const stream of [...this.streams]) stream.shutdown()
    for (const socket of this.sockets) if (!this.responding.has(socket)) socket.destroy()
    await stopped
    await afterStop?.()
  }

  private onConnection(socket: Duplex): void {
    this.counters.connectionsTotal += 1
    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))
    if (this.sockets.size > this.settings.connectionsMax) {
      this.overLimit.add(socket)
      this.counters.connectionsRejected += 1
      this.logger.debug({ connections: this.sockets.size }, 'api connection over the limit')
    }
  }

  /** Malformed requests and timeouts, caught by the parser before any request event. */
  private onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
    this.counters.clientErrors += 1
    this.counters.clientErrorsByKind[parserErrorKind(error)] += 1
    if (error.code === 'ECONNRESET' || !socket.writable || this.responding.has(socket)) {
      socket.destroy()
      return
    }
    const answer = parserErrorAnswer(error)
    this.logger.debug({ code: error.code, status: answer.status }, 'api client error')
    socket.end(answer.raw, () => socket.destroy())
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const match = matchRoute(req.method ?? '', req.url ?? '')
    if (this.overLimit.has(req.socket)) {
      this.sendError(res, match.route, 'TOO_MANY_REQUESTS', `the agent serves at most ${this.settings.connectionsMax} connections at once; retry shortly`, { close: true })
      return
    }
    if (this.closing) {
      this.sendError(res, match.route, 'UNAVAILABLE', 'the agent is shutting down', { close: true })
      return
    }
    const denied = this.gate === undefined ? accessDenied(match, this.access, this.adminSocketPath) : undefined
    if (denied !== undefined) {
      // Closed after the answer: the body is never read on a socket that may not use it.
      this.sendError(res, match.route, denied.code, denied.message, { close: true })
      return
    }
    const declared = req.headers['content-length']
    if (declared === undefined && req.headers['transfer-encoding'] === undefined) {
      // No body (RFC 9112 §6.3): answered at once, without reading the request (node:http drains it).
      this.respond(req, res, match, NO_BODY)
      return
    }
    const limit = this.settings.requestBodyBytesMax
    const tooLarge = (): void => this.sendError(res, match.route, 'PAYLOAD_TOO_LARGE', `request bodies are limited to ${limit} bytes`, { close: true })
    if (Number(declared) > limit) {
      tooLarge()
      return
    }
    // Read the body, up to the limit: POST routes use it, the others only drain it so the
    // connection can be reused.
    const chunks: Buffer[] = []
    let received = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      if (over) return
      received += chunk.length
      if (received > limit) {
        over = true
        chunks.length = 0
        req.pause()
        tooLarge()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (over) return
      try {
        this.respond(req, res, match, Buffer.concat(chunks))
      } catch (error) {
        this.onHandlerBug(res, error)
      }
    })
  }

  /** Answers at once what needs no backend call but the view's; the other routes run. */
  private respond(req: IncomingMessage, res: ServerResponse, match: RouteMatch, requestBody: Buffer): void {
    const gated = this.gate?.(req, match.route)
    if (gated !== undefined) {
      if ('error' in gated) this.sendError(res, gated.route, gated.error.code, gated.error.message, { allow: gated.allow, headers: gated.headers })
      else this.send(res, gated.route, 200, gated.body, { contentType: gated.contentType })
      return
    }
    if ('error' in match) {
      this.sendError(res, match.route, match.error.code, match.error.message, { allow: match.allow })
      return
    }
    if (match.route === 'view') this.serveView(req, res)
    else this.run(req, res, match, requestBody).catch((error: unknown) => this.onHandlerBug(res, error))
  }

  private async run(req: IncomingMessage, res: ServerResponse, match: Exclude<RouteMatch, { error: RouteError }>, requestBody: Buffer): Promise<void> {
    const route = match.route
    let outcome: RouteOutcome
    let body: Buffer | undefined
    try {
      outcome = await match.run(this.backend, { nowMs: this.clock.now(), body: requestBody, method: req.method ?? 'GET' })
      if ('json' in outcome) {
        const json = JSON.stringify(outcome.json) as string | undefined
        if (json === undefined) throw new TypeError('the backend returned nothing')
        body = Buffer.from(`${json}\n`)
      }
    } catch (error) {
      this.backendFailed(res, route, error)
      return
    }
    if (this.closing) {
      this.sendError(res, route, 'UNAVAILABLE', 'the agent is shutting down', { close: true })
    } else if ('error' in outcome) {
      this.sendError(res, route, outcome.error.code, outcome.error.message)
    } else if ('stream' in outcome) {
      this.startStream(req, res, outcome.stream.after)
    } else if ('text' in outcome) {
      this.send(res, route, outcome.status ?? 200, outcome.text, { contentType: outcome.contentType })
    } else {
      this.send(res, route, outcome.status ?? 200, body!)
    }
  }

  /**
   * GET /v1/view from the shared body (view-body-cache.ts), built when it is not fresh; 304 when
   * the client already holds these bytes (If-None-Match).
   */
  private serveView(req: IncomingMessage, res: ServerResponse): void {
    let view: ViewBody | undefined = this.viewBodies.fresh()
    if (view !== undefined) this.counters.viewCacheHits += 1
    else {
      try {
        view = this.viewBodies.build(() => this.backend.view())
      } catch (error) {
        this.backendFailed(res, 'view', error)
        return
      }
    }
    // Nothing awaited since the build, so no 503 for a shutdown begun meanwhile; send() closes after it.
    if (ifNoneMatchHits(req.headers['if-none-match'], view.etag)) this.write(res, 'view', 304, view.notModifiedHeaders, NO_BODY, false)
    else this.write(res, 'view', 200, view.headers, view.body, false)
  }

  private backendFailed(res: ServerResponse, route: ApiRouteName, error: unknown): void {
    this.logger.error({ err: error, route }, 'api backend failed')
    const reason = error instanceof Error ? error.message : String(error)
    this.sendError(res, route, 'UNAVAILABLE', `the agent's state is unavailable: ${reason}`)
  }

  private startStream(req: IncomingMessage, res: ServerResponse, after: number | undefined): void {
    const route: ApiRouteName = 'events_stream'
    if (this.streams.size >= this.settings.streamsMax) {
      this.sendError(res, route, 'TOO_MANY_REQUESTS', `the agent serves at most ${this.settings.streamsMax} event streams at once; retry shortly`, { close: true })
      return
    }
    if (req.method === 'HEAD') {
      this.send(res, route, 200, '', { contentType: STREAM_CONTENT_TYPE, noLength: true })
      return
    }
    this.counters.requests[route]['2xx'] += 1
    this.counters.streamsTotal += 1
    const stream: EventStream = new EventStream({
      res,
      feed: this.backend.events,
      clock: this.clock,
      heartbeatMs: this.settings.streamHeartbeatMs,
      bufferBytesMax: this.settings.streamBufferBytesMax,
      after,
      onEnd: (reason) => {
        this.streams.delete(stream)
        if (reason === 'slow') {
          this.counters.streamsDropped += 1
          this.logger.warn({ after }, 'event stream client too slow; disconnected')
        }
      }
    })
    this.streams.add(stream)
    // While it lasts, shutDown() lets the stream end with its final line instead of cutting it.
    const socket = res.socket
    if (socket !== null) {
      this.responding.add(socket)
      res.once('close', () => this.responding.delete(socket))
    }
    stream.start()
  }

  private sendError(res: ServerResponse, route: ApiRouteName, code: ErrorCode, message: string, extra: SendOptions = {}): void {
    this.counters.errorsByCode[code] = (this.counters.errorsByCode[code] ?? 0) + 1
    this.send(res, route, statusForCode(code), errorJson(code, message), extra)
  }

  private send(res: ServerResponse, route: ApiRouteName, status: number, body: string | Buffer, extra: SendOptions = {}): void {
    const headers = ['content-type', extra.contentType ?? 'application/json', 'cache-control', 'no-store']
    if (extra.noLength !== true) headers.push('content-length', String(typeof body === 'string' ? Buffer.byteLength(body) : body.length))
    if (extra.allow !== undefined) headers.push('allow', extra.allow)
    for (const [name, value] of Object.entries(extra.headers ?? {})) headers.push(name, value)
    this.write(res, route, status, headers, body, extra.close === true)
  }

  /** Writes an answer whose headers are ready (name, value, name, value...; the view's are made once per body). */
  private write(res: ServerResponse, route: ApiRouteName, status: number, headers: readonly string[], body: string | Buffer, closeAfter: boolean): void {
    this.counters.requests[route][statusClass(status)] += 1
    const close = closeAfter || this.closing
    const socket = res.socket
    if (socket !== null) {
      this.responding.add(socket)
      // Closing: destroy right after the answer is flushed, so an unread body is never drained.
      if (close) res.once('finish', () => socket.destroy())
      res.once('close', () => {
        this.responding.delete(socket)
        if (this.closing) socket.destroy()
      })
    }
    try {
      // An array, not setHeader() per header: node:http then writes them with no header object per answer.
      res.writeHead(status, (close ? [...headers, 'connection', 'close'] : headers) as string[])
      res.end(body)
    } catch (error) {
      // Genuinely unexpected (the socket is gone mid-write): nothing to answer, so log and drop.
      this.logger.error({ err: error, route }, 'api response failed')
      socket?.destroy()
    }
  }
}

interface SendOptions {
  close?: boolean
  allow?: string | undefined
  /** Default application/json. */
  contentType?: string
  /** Omit content-length (HEAD of a stream, whose length is unknown). */
  noLength?: boolean
  headers?: Readonly<Record<string, string>> | undefined
}
