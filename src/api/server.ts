/**
 * The agent's local API: HTTP/1.1 + JSON over a unix socket (DESIGN.md §3). Routing is in
 * routes.ts, the socket file's life cycle in socket-file.ts; this file owns connections, limits
 * and timeouts, so that no client, however slow or hostile, can stall the others or the agent.
 *
 * The limits, and why, are documented in limits.ts.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { ConfigError, type ErrorCode } from '../errors.ts'
import type { Logger } from '../runtime/logger.ts'
import { errorJson, statusForCode } from './errors.ts'
import { HEADER_BYTES_MAX, HEADER_LINES_MAX, resolveLimits, type ApiLimitOptions, type ApiLimits } from './limits.ts'
import { matchRoute, type ApiBackend, type ApiRouteName, type RouteMatch } from './routes.ts'
import { emptyRequests, statusClass, type ApiServerStats, type StatusClass } from './stats.ts'
import {
  checkSocketPathLength,
  claimSocketPath,
  clearPrivatePath,
  ensureSocketDir,
  privateBindPath,
  publishSocket,
  removeIfOurs,
  type SocketIdentity
} from './socket-file.ts'

export type { ApiBackend, ApiRouteName, ApiLimitOptions, ApiServerStats, StatusClass }

export interface ApiServerOptions extends ApiLimitOptions {
  /** Where to listen. Its directory is created (0750) if missing; the socket gets mode 0660. */
  socketPath: string
  backend: ApiBackend
  logger: Logger
  /** Group (name or gid) given the socket, so its members may query the agent. Default: unchanged. */
  socketGroup?: string | number
}

export interface ApiServer {
  readonly socketPath: string
  /** Stops accepting, ends idle and pending connections, removes the socket file if still ours. Idempotent. */
  close(): Promise<void>
  stats(): ApiServerStats
}

/** Starts the API; resolves once the socket is published. See ApiServerOptions. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const settings = resolveLimits(options)
  const { socketPath, logger } = options
  checkSocketPathLength(socketPath)
  await ensureSocketDir(socketPath)
  await claimSocketPath(socketPath, logger)
  const bindPath = privateBindPath(socketPath)
  await clearPrivatePath(bindPath)

  const api = new SocketApiServer(options, settings)
  await api.listen(bindPath)
  try {
    api.identity = await publishSocket(bindPath, socketPath, options.socketGroup)
  } catch (error) {
    await api.close()
    throw error
  }
  logger.info({ socket: socketPath }, 'api listening')
  return api
}

class SocketApiServer implements ApiServer {
  readonly socketPath: string
  identity: SocketIdentity | undefined
  private readonly backend: ApiBackend
  private readonly logger: Logger
  private readonly settings: ApiLimits
  private readonly server: Server
  private readonly sockets = new Set<Duplex>()
  private readonly overLimit = new WeakSet<Duplex>()
  /** Sockets with a response written but not yet flushed: close() lets those finish. */
  private readonly responding = new Set<Duplex>()
  private readonly counters: ApiServerStats
  private closing = false
  private closed: Promise<void> | undefined

  constructor(options: ApiServerOptions, settings: ApiLimits) {
    this.socketPath = options.socketPath
    this.backend = options.backend
    this.logger = options.logger
    this.settings = settings
    this.counters = {
      connectionsActive: 0, connectionsTotal: 0, connectionsRejected: 0, connectionsDropped: 0, clientErrors: 0,
      requests: emptyRequests()
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
      requireHostHeader: false
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
        // A bug here, not a backend failure (those are 503): log it, answer 500, keep serving.
        this.logger.error({ err: error }, 'api request handler failed')
        if (!res.headersSent) this.send(res, 'other', 500, errorJson('UNAVAILABLE', 'internal error; see the agent log'), { close: true })
        else res.destroy()
      }
    })
  }

  listen(bindPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => reject(new ConfigError('socket', `cannot listen on ${bindPath}: ${error.message}`))
      this.server.once('error', onError)
      this.server.listen(bindPath, () => {
        this.server.off('error', onError)
        this.server.on('error', (error) => this.logger.error({ err: error }, 'api server error'))
        resolve()
      })
    })
  }

  stats(): ApiServerStats {
    return { ...this.counters, connectionsActive: this.sockets.size, requests: structuredClone(this.counters.requests) }
  }

  close(): Promise<void> {
    this.closed ??= this.shutDown()
    return this.closed
  }

  private async shutDown(): Promise<void> {
    this.closing = true
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const socket of this.sockets) if (!this.responding.has(socket)) socket.destroy()
    await stopped
    if (this.identity !== undefined) await removeIfOurs(this.socketPath, this.identity, this.logger)
    this.logger.info({ socket: this.socketPath }, 'api stopped')
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
    if (error.code === 'ECONNRESET' || !socket.writable || this.responding.has(socket)) {
      socket.destroy()
      return
    }
    const [status, message] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'the request was not received in time']
      : error.code === 'HPE_HEADER_OVERFLOW' ? [431, `request headers exceed ${HEADER_BYTES_MAX} bytes`]
      : [400, `malformed HTTP request (${error.code ?? error.message})`]
    this.logger.debug({ code: error.code, status }, 'api client error')
    const json = errorJson('BAD_REQUEST', message)
    const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n`
    socket.end(head + json, () => socket.destroy())
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
    const limit = this.settings.requestBodyBytesMax
    const tooLarge = (): void => this.sendError(res, match.route, 'PAYLOAD_TOO_LARGE', `request bodies are limited to ${limit} bytes`, { close: true })
    const declared = req.headers['content-length']
    if (declared !== undefined && Number(declared) > limit) {
      tooLarge()
      return
    }
    // Read and discard any body (none is expected) so the connection can be reused, up to the limit.
    let received = 0
    let over = false
    req.on('data', (chunk: Buffer) => {
      if (over) return
      received += chunk.length
      if (received > limit) {
        over = true
        req.pause()
        tooLarge()
      }
    })
    req.on('end', () => {
      if (!over) this.respond(res, match)
    })
  }

  private respond(res: ServerResponse, match: RouteMatch): void {
    if ('error' in match) {
      this.sendError(res, match.route, match.error.code, match.error.message, { allow: match.allow })
      return
    }
    let json: string | undefined
    try {
      const outcome = match.run(this.backend)
      if ('error' in outcome) {
        this.sendError(res, match.route, outcome.error.code, outcome.error.message)
        return
      }
      json = JSON.stringify(outcome.body) as string | undefined
      if (json === undefined) throw new TypeError('the backend returned nothing')
    } catch (error) {
      this.logger.error({ err: error, route: match.route }, 'api backend failed')
      const reason = error instanceof Error ? error.message : String(error)
      this.sendError(res, match.route, 'UNAVAILABLE', `the agent's state is unavailable: ${reason}`)
      return
    }
    this.send(res, match.route, 200, `${json}\n`)
  }

  private sendError(res: ServerResponse, route: ApiRouteName, code: ErrorCode, message: string, extra: { close?: boolean; allow?: string | undefined } = {}): void {
    this.send(res, route, statusForCode(code), errorJson(code, message), extra)
  }

  private send(res: ServerResponse, route: ApiRouteName, status: number, json: string, extra: { close?: boolean; allow?: string | undefined } = {}): void {
    this.counters.requests[route][statusClass(status)] += 1
    const close = extra.close === true || this.closing
    const socket = res.socket
    res.statusCode = status
    res.setHeader('content-type', 'application/json')
    res.setHeader('content-length', Buffer.byteLength(json))
    res.setHeader('cache-control', 'no-store')
    if (extra.allow !== undefined) res.setHeader('allow', extra.allow)
    if (close) res.setHeader('connection', 'close')
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
      res.end(json)
    } catch (error) {
      // Genuinely unexpected (the socket is gone mid-write): nothing to answer, so log and drop.
      this.logger.error({ err: error, route }, 'api response failed')
      socket?.destroy()
    }
  }
}
