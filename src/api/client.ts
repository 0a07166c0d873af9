/**
 * The socket API's client, used by the CLI and scripts: one request (GET, or POST for check-ins) per call over a fresh connection
 * to the agent's unix socket (no keep-alive pool, so a short-lived CLI exits as soon as it has its
 * answer). Error bodies become ApiError with the server's code; failing to reach the agent at all
 * becomes AGENT_UNREACHABLE naming the socket, so the CLI can say exactly what it tried.
 */
import { request, type ClientRequest } from 'node:http'
import { HealthmonError } from '../errors.ts'
import { apiErrorFrom } from './errors.ts'
import type { StreamLine } from './protocol.ts'

export interface ApiClientOptions {
  /**
   * Inactivity limit in ms: connecting, and each wait for more of the response, may take at most
   * this long before the call fails with AGENT_UNREACHABLE. Default 5000. Not a total deadline:
   * a response that keeps arriving is bounded by responseBytesMax instead.
   */
  timeoutMs?: number
  /** Largest response body accepted, in bytes; beyond it the call fails. Default 64 MiB. */
  responseBytesMax?: number
  /**
   * 'admin' when `socketPath` is the admin socket (mode 0600): permission denied then says that
   * only the agent's user and root may connect. Default 'read'.
   */
  socket?: 'read' | 'admin'
}

export const CLIENT_TIMEOUT_MS_DEFAULT = 5000
export const RESPONSE_BYTES_MAX_DEFAULT = 64 * 1024 * 1024
/** Longest line accepted on an event stream. */
export const STREAM_LINE_BYTES_MAX = 1024 * 1024

export interface GetOptions {
  /**
   * Statuses besides 2xx whose body is the answer rather than an error (GET /v1/health answers
   * 429 and 503 with a HealthReport). A body in the error shape is still an ApiError.
   */
  acceptStatuses?: readonly number[]
}

export interface StreamOptions {
  /** Aborting ends the stream quietly: stream() resolves. */
  signal?: AbortSignal
  /** Fail with AGENT_UNREACHABLE when nothing (not even a heartbeat) arrives for this long, in ms. 0: never. */
  idleTimeoutMs?: number
}

function isErrorBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'error' in body
}

function connectionError(socketPath: string, error: unknown, socket: 'read' | 'admin' = 'read'): HealthmonError {
  if (error instanceof HealthmonError) return error
  const errno = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined
  const cause = { cause: error }
  switch (errno) {
    case 'ENOENT':
      return new HealthmonError('AGENT_UNREACHABLE', `no agent is listening on ${socketPath}: no such socket`, cause)
    case 'ECONNREFUSED':
      return new HealthmonError('AGENT_UNREACHABLE', `no agent is listening on ${socketPath}: connection refused (a stale socket)`, cause)
    case 'EACCES':
    case 'EPERM':
      if (socket === 'admin') {
        return new HealthmonError('AGENT_UNREACHABLE', `permission denied on the admin socket ${socketPath}: it is open only to the agent's user and root; run this command as that user (e.g. with sudo -u) or as root`, cause)
      }
      return new HealthmonError('AGENT_UNREACHABLE', `permission denied on ${socketPath}; run as the agent's user or a member of the socket's group`, cause)
    case 'ECONNRESET':
    case 'EPIPE':
      return new HealthmonError('AGENT_UNREACHABLE', `the agent on ${socketPath} closed the connection (${errno})`, cause)
    default:
      return new HealthmonError('AGENT_UNREACHABLE', `cannot reach the agent on ${socketPath}: ${error instanceof Error ? error.message : String(error)}`, cause)
  }
}

export class ApiClient {
  readonly socketPath: string
  private readonly timeoutMs: number
  private readonly responseBytesMax: number
  private readonly socket: 'read' | 'admin'

  constructor(socketPath: string, options: ApiClientOptions = {}) {
    this.socketPath = socketPath
    this.timeoutMs = options.timeoutMs ?? CLIENT_TIMEOUT_MS_DEFAULT
    this.responseBytesMax = options.responseBytesMax ?? RESPONSE_BYTES_MAX_DEFAULT
    this.socket = options.socket ?? 'read'
  }

  /**
   * GETs `path` (e.g. API_PATHS.view) and returns the parsed JSON body. The body is trusted to
   * have the protocol's shape (T); it is not validated. Rejects with ApiError for an error
   * answer, AGENT_UNREACHABLE when the agent cannot be reached or goes silent, PAYLOAD_TOO_LARGE
   * for an oversize answer, MESSAGE_INVALID for one that is not JSON.
   */
  get<T>(path: string, options: GetOptions = {}): Promise<T> {
    return this.call<T>('GET', path, undefined, options)
  }

  /**
   * POSTs `body` as JSON (none when undefined) to `path` and returns the parsed JSON answer;
   * errors as get() does.
   */
  post<T>(path: string, body?: unknown, options: GetOptions = {}): Promise<T> {
    return this.call<T>('POST', path, body === undefined ? undefined : Buffer.from(JSON.stringify(body)), options)
  }

  delete<T>(path: string, options: GetOptions = {}): Promise<T> {
    return this.call<T>('DELETE', path, undefined, options)
  }

  private call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, payload: Buffer | undefined, options: GetOptions): Promise<T> {
    const accepted = options.acceptStatuses ?? []
    const socketPath = this.socketPath
    const bytesMax = this.responseBytesMax
    return new Promise<T>((resolve, reject) => {
      let settled = false
      const settle = (outcome: () => void): void => {
        if (settled) return
        settled = true
        outcome()
      }
      const headers: Record<string, string | number> = { host: 'localhost', accept: 'application/json', connection: 'close' }
      if (payload !== undefined) {
        headers['content-type'] = 'application/json'
        headers['content-length'] = payload.length
      }
      const req = request({ socketPath, path, method, agent: false, timeout: this.timeoutMs, headers })
      const fail = (error: HealthmonError): void => {
        settle(() => reject(error))
        req.destroy()
      }
      req.on('timeout', () => {
        fail(new HealthmonError('AGENT_UNREACHABLE', `the agent on ${socketPath} did not answer within ${this.timeoutMs} ms`))
      })
      req.on('error', (error) => fail(connectionError(socketPath, error, this.socket)))
      req.on('response', (res) => {
        const tooLarge = (): HealthmonError =>
          new HealthmonError('PAYLOAD_TOO_LARGE', `the agent on ${socketPath} sent more than ${bytesMax} bytes for ${path}`)
        if (Number(res.headers['content-length'] ?? 0) > bytesMax) {
          fail(tooLarge())
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > bytesMax) fail(tooLarge())
          else chunks.push(chunk)
        })
        res.on('error', (error) => fail(connectionError(socketPath, error, this.socket)))
        res.on('close', () => {
          if (!res.complete) fail(new HealthmonError('AGENT_UNREACHABLE', `the agent on ${socketPath} closed the connection mid-answer`))
        })
        res.on('end', () => {
          const status = res.statusCode ?? 0
          const text = Buffer.concat(chunks).toString('utf8')
          let body: unknown
          try {
            body = JSON.parse(text)
          } catch {
            if (status >= 200 && status < 300) {
              fail(new HealthmonError('MESSAGE_INVALID', `the agent on ${socketPath} answered ${path} with something that is not JSON`))
              return
            }
          }
          if ((status >= 200 && status < 300) || (accepted.includes(status) && body !== undefined && !isErrorBody(body))) settle(() => resolve(body as T))
          else settle(() => reject(apiErrorFrom(status, body)))
        })
      })
      req.end(payload)
    })
  }

  /**
   * Follows an NDJSON stream (GET /v1/events/stream): calls `onLine` with each parsed line, in
   * order, and resolves when the agent ends the stream or `signal` aborts it. Rejects like get()
   * when the agent cannot be reached or answers an error, and with AGENT_UNREACHABLE when the
   * connection breaks or stays silent past idleTimeoutMs.
   */
  stream(path: string, onLine: (line: StreamLine) => void, options: StreamOptions = {}): Promise<void> {
    const socketPath = this.socketPath
    return new Promise<void>((resolve, reject) => {
      let settled = false
      const finish = (error?: HealthmonError): void => {
        if (settled) return
        settled = true
        options.signal?.removeEventListener('abort', onAbort)
        req.destroy()
        if (error === undefined) resolve()
        else reject(error)
      }
      const onAbort = (): void => finish()
      if (options.signal?.aborted === true) {
        resolve()
        return
      }
      const req: ClientRequest = request({
        socketPath,
        path,
        method: 'GET',
        agent: false,
        timeout: this.timeoutMs,
        headers: { host: 'localhost', accept: 'application/x-ndjson', connection: 'close' }
      })
      options.signal?.addEventListener('abort', onAbort)
      let silenceMs = this.timeoutMs
      req.on('timeout', () => finish(new HealthmonError('AGENT_UNREACHABLE', `the agent on ${socketPath} sent nothing for ${silenceMs} ms`)))
      req.on('error', (error) => finish(connectionError(socketPath, error, this.socket)))
      req.on('response', (res) => {
        const status = res.statusCode ?? 0
        if (status !== 200) {
          // An error answer is small: read it whole (bounded) for its code.
          const chunks: Buffer[] = []
          let size = 0
          res.on('data', (chunk: Buffer) => {
            size += chunk.length
            if (size <= 64 * 1024) chunks.push(chunk)
          })
          res.on('end', () => {
            let body: unknown
            try {
              body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
            } catch {
              body = undefined
            }
            finish(apiErrorFrom(status, body))
          })
          return
        }
        silenceMs = options.idleTimeoutMs ?? 0
        req.setTimeout(silenceMs)
        let pending = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          pending += chunk
          let newline = pending.indexOf('\n')
          while (newline >= 0 && !settled) {
            const text = pending.slice(0, newline)
            pending = pending.slice(newline + 1)
            if (text.trim() !== '') {
              let line: StreamLine
              try {
                line = JSON.parse(text) as StreamLine
              } catch {
                finish(new HealthmonError('MESSAGE_INVALID', `the agent on ${socketPath} sent a stream line that is not JSON`))
                return
              }
              onLine(line)
            }
            newline = pending.indexOf('\n')
          }
          if (pending.length > STREAM_LINE_BYTES_MAX) {
            finish(new HealthmonError('PAYLOAD_TOO_LARGE', `the agent on ${socketPath} sent a stream line over ${STREAM_LINE_BYTES_MAX} bytes`))
          }
        })
        res.on('end', () => finish())
        res.on('close', () => {
          if (!res.complete) finish(new HealthmonError('AGENT_UNREACHABLE', `the agent on ${socketPath} closed the event stream abruptly`))
        })
        res.on('error', (error) => finish(connectionError(socketPath, error, this.socket)))
      })
      req.end()
    })
  }
}
