/**
 * The socket API's limits: what each bounds, its default, and why. Every one is enforced in
 * server.ts; together they keep any client, however slow or hostile, from stalling the others or
 * growing the agent's memory. (To be listed with the other limits in src/ARCHITECTURE.md.)
 *
 * - connections: `connectionsMax` are served; the next `connectionsMax` get a 429 answer to their
 *   first request and are closed; beyond twice the limit an accepted connection is closed at once
 *   without an answer (counted as dropped). So a flood costs bounded memory, and a client over the
 *   limit is told so instead of hanging.
 * - request bodies: only the check-in route (POST /v1/checks/{id}/pass|warn|fail) takes one; a
 *   body is read up to `requestBodyBytesMax` (held only until the request is answered, so at
 *   most connectionsMax x the limit at once) and ignored by the other routes; a larger one
 *   (declared or streamed) gets 413 and the connection is closed without reading the rest. The
 *   size check comes before the method check, so a large POST to a GET-only route is a 413,
 *   decided from its headers alone; a small one is a 405.
 * - time: node:http's own timers cut a client that sends its headers too slowly (slowloris, or
 *   nothing at all: `headersTimeoutMs`, answered 408), its whole request too slowly
 *   (`requestTimeoutMs`, 408), or goes silent mid-connection or between keep-alive requests
 *   (`idleTimeoutMs`, closed).
 * - headers: at most HEADER_BYTES_MAX bytes and HEADER_LINES_MAX lines per request (431 / ignored).
 * - event streams (GET /v1/events/stream): at most `streamsMax` at once (429 beyond; each also
 *   holds one of the connections). A replay (?after=) is written at the client's pace, waiting
 *   for the socket to drain; live events are written as they happen, and a client that lets more
 *   than `streamBufferBytesMax` bytes pile up in the agent's buffer (or, while replaying, falls
 *   so far behind that the events it still needs leave the event log) gets a final
 *   SLOW_CONSUMER error line and is disconnected, counted in stats. An idle stream gets a
 *   heartbeat line every `streamHeartbeatMs`, which must be shorter than `idleTimeoutMs`.
 * - view cache: GET /v1/view serializes the whole view (~400 bytes per peer); the serialized
 *   answer is reused for up to `viewCacheMs` and never across a state change (any new event),
 *   so a busy poller costs one serialization per period while states are always current. The
 *   daemon gives its listeners one cache (view-body-cache.ts): one build per period in all.
 */
import { ConfigError } from '../errors.ts'

export interface ApiLimitOptions {
  /** Connections served at once; up to as many again are answered 429. Default 64. */
  connectionsMax?: number
  /** Largest request body read, in bytes. Default 64 KiB. */
  requestBodyBytesMax?: number
  /** Time a client has to send its request headers after connecting or starting a request. Default 5000. */
  headersTimeoutMs?: number
  /** Time a client has to send its whole request; at least headersTimeoutMs. Default 10000. */
  requestTimeoutMs?: number
  /** Time a connection may sit without traffic, mid-request or between keep-alive requests. Default 30000. */
  idleTimeoutMs?: number
  /** Event streams served at once; more are answered 429. Default 16. */
  streamsMax?: number
  /** Period of the heartbeat line on an idle event stream, in ms; below idleTimeoutMs. Default 10000. */
  streamHeartbeatMs?: number
  /** Bytes a live event stream may leave unread in the agent's buffer before it is cut. Default 1 MiB. */
  streamBufferBytesMax?: number
  /** How long a serialized GET /v1/view answer may be reused, in ms (0: never). Default 100. */
  viewCacheMs?: number
}

export type ApiLimits = Required<ApiLimitOptions>

export const API_LIMITS_DEFAULT: Readonly<ApiLimits> = {
  connectionsMax: 64,
  requestBodyBytesMax: 64 * 1024,
  headersTimeoutMs: 5000,
  requestTimeoutMs: 10_000,
  idleTimeoutMs: 30_000,
  streamsMax: 16,
  streamHeartbeatMs: 10_000,
  streamBufferBytesMax: 1024 * 1024,
  viewCacheMs: 100
}

export const HEADER_BYTES_MAX = 16 * 1024
export const HEADER_LINES_MAX = 100

function positiveInt(key: keyof ApiLimits, value: number | undefined, min = 1): number {
  const result = value ?? API_LIMITS_DEFAULT[key]
  if (!Number.isSafeInteger(result) || result < min) throw new ConfigError(`api.${key}`, min === 0 ? 'must be an integer >= 0' : 'must be a positive integer')
  return result
}

/** Fills in defaults and checks each limit once, at start. */
export function resolveLimits(options: ApiLimitOptions): ApiLimits {
  const limits: ApiLimits = {
    connectionsMax: positiveInt('connectionsMax', options.connectionsMax),
    requestBodyBytesMax: positiveInt('requestBodyBytesMax', options.requestBodyBytesMax),
    headersTimeoutMs: positiveInt('headersTimeoutMs', options.headersTimeoutMs),
    requestTimeoutMs: positiveInt('requestTimeoutMs', options.requestTimeoutMs),
    idleTimeoutMs: positiveInt('idleTimeoutMs', options.idleTimeoutMs),
    streamsMax: positiveInt('streamsMax', options.streamsMax),
    streamHeartbeatMs: positiveInt('streamHeartbeatMs', options.streamHeartbeatMs),
    streamBufferBytesMax: positiveInt('streamBufferBytesMax', options.streamBufferBytesMax),
    viewCacheMs: positiveInt('viewCacheMs', options.viewCacheMs, 0)
  }
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError('api.headersTimeoutMs', 'must not exceed api.requestTimeoutMs')
  }
  if (limits.streamHeartbeatMs >= limits.idleTimeoutMs) {
    // Otherwise an idle but healthy stream would be cut by the idle timeout between heartbeats.
    throw new ConfigError('api.streamHeartbeatMs', 'must be below api.idleTimeoutMs')
  }
  return Object.freeze(limits)
}
