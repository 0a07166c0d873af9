/**
 * api: the agent's local socket API (HTTP/1.1 + JSON over a unix socket, DESIGN.md §3).
 * - protocol.ts: the response shapes and paths, a public contract shared by server and clients;
 * - socket-listener.ts: startApiServer(), the API on a unix socket, with socket-file.ts (claiming,
 *   publishing and removing the socket file); http-listener.ts: the read-only TCP listener;
 * - server.ts: the HTTP server behind both, with routes.ts (routing, pure), query.ts (query
 *   parameters), health.ts and alerts-filter.ts (pure functions over the view and the alert log),
 *   event-stream.ts (the NDJSON event stream with backpressure), view-body-cache.ts (the
 *   serialized view and its ETag, shared by the listeners), parser-errors.ts (answers to what the
 *   HTTP parser rejects), limits.ts (every bound, with defaults and reasons) and stats.ts
 *   (counters for /metrics);
 * - client.ts: ApiClient, used by the CLI (GET and streams); errors.ts maps error codes to
 *   statuses and back.
 * Depends on runtime (clock, logger) and errors only; the agent hands it an ApiBackend over its
 * view, event log and metrics. The reference for operators is src/api/API.md.
 */
export * from './protocol.ts'
export { startApiServer, type ApiServer, type ApiServerOptions } from './socket-listener.ts'
export type { ApiServerStats, ApiBackend, ApiRouteName, StatusClass } from './server.ts'
export type { EventFeed, FeedEvent, MetricsExposition } from './routes.ts'
export { assessHealth, httpStatusForHealth, type AwarenessScale } from './health.ts'
export { API_LIMITS_DEFAULT, type ApiLimitOptions, type ApiLimits } from './limits.ts'
export { ApiClient, type ApiClientOptions, type GetOptions, type StreamOptions } from './client.ts'
export { ApiError, apiErrorFrom, errorJson, statusForCode } from './errors.ts'
export { startHttpListener, HTTP_LISTENER_PATHS, type HttpListener, type HttpListenerOptions } from './http-listener.ts'
