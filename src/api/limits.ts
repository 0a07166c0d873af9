/**
 * The socket API's limits: what each bounds, its default, and why. Every one is enforced in
 * server.ts; together they keep any client, however slow or hostile, from stalling the others or
 * growing the agent's memory. (To be listed with the other limits in src/ARCHITECTURE.md.)
 *
 * - connections: `connectionsMax` are served; the next `connectionsMax` get a 429 answer to their
 *   first request and are closed; beyond twice the limit an accepted connection is closed at once
 *   without an answer (counted as dropped). So a flood costs bounded memory, and a client over the
 *   limit is told so instead of hanging.
 * - request bodies: no route takes one. A body is read and discarded up to `requestBodyBytesMax`;
 *   a larger one (declared or streamed) gets 413 and the connection is closed without reading the
 *   rest. The size check comes before the method check, so a large POST to a GET-only route is a
 *   413, decided from its headers alone; a small one is a 405.
 * - time: node:http's own timers cut a client that sends its headers too slowly (slowloris, or
 *   nothing at all: `headersTimeoutMs`, answered 408), its whole request too slowly
 *   (`requestTimeoutMs`, 408), or goes silent mid-connection or between keep-alive requests
 *   (`idleTimeoutMs`, closed).
 * - headers: at most HEADER_BYTES_MAX bytes and HEADER_LINES_MAX lines per request (431 / ignored).
 */
import { ConfigError } from '../errors.ts'

export interface ApiLimitOptions {
  /** Connections served at once; up to as many again are answered 429. Default 64. */
  connectionsMax?: number
  /** Largest request body read (and discarded), in bytes. Default 64 KiB. */
  requestBodyBytesMax?: number
  /** Time a client has to send its request headers after connecting or starting a request. Default 5000. */
  headersTimeoutMs?: number
  /** Time a client has to send its whole request; at least headersTimeoutMs. Default 10000. */
  requestTimeoutMs?: number
  /** Time a connection may sit without traffic, mid-request or between keep-alive requests. Default 30000. */
  idleTimeoutMs?: number
}

export type ApiLimits = Required<ApiLimitOptions>

export const API_LIMITS_DEFAULT: Readonly<ApiLimits> = {
  connectionsMax: 64,
  requestBodyBytesMax: 64 * 1024,
  headersTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  idleTimeoutMs: 30_000
}

export const HEADER_BYTES_MAX = 16 * 1024
export const HEADER_LINES_MAX = 100

function positiveInt(key: keyof ApiLimits, value: number | undefined): number {
  const result = value ?? API_LIMITS_DEFAULT[key]
  if (!Number.isSafeInteger(result) || result < 1) throw new ConfigError(`api.${key}`, 'must be a positive integer')
  return result
}

/** Fills in defaults and checks each limit once, at start. */
export function resolveLimits(options: ApiLimitOptions): ApiLimits {
  const limits: ApiLimits = {
    connectionsMax: positiveInt('connectionsMax', options.connectionsMax),
    requestBodyBytesMax: positiveInt('requestBodyBytesMax', options.requestBodyBytesMax),
    headersTimeoutMs: positiveInt('headersTimeoutMs', options.headersTimeoutMs),
    requestTimeoutMs: positiveInt('requestTimeoutMs', options.requestTimeoutMs),
    idleTimeoutMs: positiveInt('idleTimeoutMs', options.idleTimeoutMs)
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError('api.headersTimeoutMs', 'must not exceed api.requestTimeoutMs')
  }
  return Object.freeze(limits)
}
