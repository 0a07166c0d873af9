/**
 * The http and tcp checks: one request or connection per run, bounded by the check's timeout
 * on the injected Clock. Rules (issue 7, after Consul's HTTP and TCP checks):
 *
 * - http: GET the URL (no redirects followed: a 3xx is not a health answer). 2xx is passing,
 *   429 Too Many Requests warning (the service is up but shedding load), anything else, a
 *   connection failure or no answer within the timeout critical. With `expectBody`, the first
 *   `bodyBytesMax` bytes of the body must contain that substring, else critical; without it the
 *   body is not read at all.
 * - tcp: passing when a connection opens within the timeout, critical otherwise.
 *
 * Shells: they touch sockets; the status rules are the pure `httpStatusOf`.
 */
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { connect } from 'node:net'
import type { CheckStatus } from '../health/types.ts'
import type { Clock } from '../runtime/clock.ts'
import type { CheckResult } from './check-state.ts'

export interface ProbeOutcome {
  result: CheckResult
  timedOut: boolean
  durationMs: number
}

export interface ProbeRun {
  readonly done: Promise<ProbeOutcome>
  /** Abandons the probe (agent stopping): settles critical, closes the socket. Idempotent. */
  stop(): void
}

type Settle = (status: CheckStatus, output: string) => void

/** Runs `start` with a deadline: the first of its settle(), the timeout or stop() wins; cleanup runs once. */
function withDeadline(clock: Clock, timeoutMs: number, what: string, start: (settle: Settle, elapsedMs: () => number) => () => void): ProbeRun {
  const startedMs = clock.now()
  const elapsedMs = (): number => Math.round(clock.now() - startedMs)
  const { promise, resolve } = Promise.withResolvers<ProbeOutcome>()
  let settled = false
  // Filled once start() returns; start() may settle before that (a synchronous failure).
  const hooks: { cleanup?: () => void } = {}
  const finish = (status: CheckStatus, output: string, timedOut: boolean): void => {
    if (settled) return
    settled = true
    timer.cancel()
    hooks.cleanup?.()
    resolve({ result: { status, output, longOutput: '' }, timedOut, durationMs: clock.now() - startedMs })
  }
  const timer = clock.setTimeout(() => finish('critical', `${what}: no answer within ${timeoutMs} ms`, true), timeoutMs)
  const cleanup = start((status, output) => finish(status, output, false), elapsedMs)
  if (settled) cleanup()
  else hooks.cleanup = cleanup
  return { done: promise, stop: () => finish('critical', `${what}: stopped: the agent is shutting down`, false) }
}

/** The status an HTTP answer means, before any body match. */
export function httpStatusOf(code: number): CheckStatus {
  if (code >= 200 && code < 300) return 'passing'
  if (code === 429) return 'warning'
  return 'critical'
}

function errorText(error: NodeJS.ErrnoException): string {
  return error.code !== undefined ? `${error.message.replace(/^.*?: /, '')} (${error.code})` : error.message
}

export interface HttpProbeOptions {
  url: string
  expectBody: string | undefined
  timeoutMs: number
  bodyBytesMax: number
  clock: Clock
}

export function probeHttp(options: HttpProbeOptions): ProbeRun {
  const { url, expectBody, bodyBytesMax } = options
  return withDeadline(options.clock, options.timeoutMs, `GET ${url}`, (settle, elapsedMs) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest
    let req: ClientRequest | undefined
    let res: IncomingMessage | undefined
    try {
      req = send(url, { method: 'GET', agent: false, headers: { 'user-agent': 'healthmon-check', accept: '*/*', connection: 'close' } })
    } catch (error) {
      settle('critical', `GET ${url}: ${(error as Error).message}`)
      return () => {}
    }
    req.on('error', (error: NodeJS.ErrnoException) => settle('critical', `GET ${url}: ${errorText(error)}`))
    req.on('response', (answer) => {
      res = answer
      const code = answer.statusCode ?? 0
      const line = `HTTP ${code} ${answer.statusMessage ?? ''}`.trimEnd()
      const status = httpStatusOf(code)
      if (expectBody === undefined || status === 'critical') {
        settle(status, `${line} in ${elapsedMs()} ms`)
        return
      }
      const chunks: Buffer[] = []
      let size = 0
      const judge = (): void => {
        const body = Buffer.concat(chunks).subarray(0, bodyBytesMax).toString('utf8')
        if (body.includes(expectBody)) settle(status, `${line} in ${elapsedMs()} ms, body contains ${JSON.stringify(expectBody)}`)
        else settle('critical', `${line} but the body${size >= bodyBytesMax ? ` (first ${bodyBytesMax} bytes)` : ''} does not contain ${JSON.stringify(expectBody)}`)
      }
      answer.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        size += chunk.length
        if (size >= bodyBytesMax) judge()
      })
      answer.on('end', judge)
      answer.on('error', (error: NodeJS.ErrnoException) => settle('critical', `GET ${url}: ${errorText(error)}`))
    })
    req.end()
    return () => {
      res?.destroy()
      req.destroy()
    }
  })
}

export interface TcpProbeOptions {
  host: string
  port: number
  timeoutMs: number
  clock: Clock
}

export function probeTcp(options: TcpProbeOptions): ProbeRun {
  const where = options.host.includes(':') ? `[${options.host}]:${options.port}` : `${options.host}:${options.port}`
  return withDeadline(options.clock, options.timeoutMs, `TCP ${where}`, (settle, elapsedMs) => {
    const socket = connect({ host: options.host, port: options.port })
    socket.once('connect', () => settle('passing', `TCP ${where} connected in ${elapsedMs()} ms`))
    socket.once('error', (error: NodeJS.ErrnoException) => settle('critical', `TCP ${where}: ${errorText(error)}`))
    return () => socket.destroy()
  })
}
