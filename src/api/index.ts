/**
 * api: the agent's local socket API (HTTP/1.1 + JSON over a unix socket, DESIGN.md §3).
 * - protocol.ts: the response shapes and paths, a public contract shared by server and clients;
 * - server.ts: startApiServer(), with routes.ts (routing, pure), limits.ts (every bound, with
 *   defaults and reasons), stats.ts (counters for /metrics) and socket-file.ts (claiming,
 *   publishing and removing the socket file);
 * - client.ts: ApiClient, used by the CLI; errors.ts maps error codes to statuses and back.
 * Depends on runtime (logger) and errors only; the agent hands it an ApiBackend over its view.
 */
export * from './protocol.ts'
export { startApiServer, type ApiServer, type ApiServerOptions, type ApiServerStats, type ApiBackend, type ApiRouteName, type StatusClass } from './server.ts'
export { API_LIMITS_DEFAULT, type ApiLimitOptions, type ApiLimits } from './limits.ts'
export { ApiClient, type ApiClientOptions } from './client.ts'
export { ApiError, apiErrorFrom, errorJson, statusForCode } from './errors.ts'
