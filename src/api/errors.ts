/**
 * How the socket API carries errors: every error response is `{"error":{"code","message"}}` with a
 * code from ERROR_CODES (src/errors.ts) and the HTTP status that code implies. The server builds
 * bodies with errorJson(); the client turns them back into an ApiError with the same code.
 */
import { ERROR_CODES, HealthmonError, type ErrorCode } from '../errors.ts'
import type { ErrorBody } from './protocol.ts'

/** The HTTP status each code is answered with; codes not listed are 500. */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  PEER_NOT_FOUND: 404,
  CHECK_NOT_FOUND: 404,
  CHECK_NOT_TTL: 400,
  METRIC_NOT_FOUND: 404,
  SILENCE_INVALID: 400,
  SILENCE_NOT_FOUND: 404,
  SILENCES_FULL: 409,
  MEMBER_ALIVE: 409,
  STORE_UNAVAILABLE: 503,
  ADMIN_SOCKET_REQUIRED: 403,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  UNAVAILABLE: 503
}

export function statusForCode(code: ErrorCode): number {
  return STATUS_BY_CODE[code] ?? 500
}

/** The serialized error body, with the trailing newline every response carries. */
export function errorJson(code: ErrorCode, message: string): string {
  const body: ErrorBody = { error: { code, message } }
  return `${JSON.stringify(body)}\n`
}

/** An error answer from the agent: the body's code and message, plus the HTTP status. */
export class ApiError extends HealthmonError {
  readonly status: number
  constructor(code: ErrorCode, message: string, status: number) {
    super(code, message)
    this.name = 'ApiError'
    this.status = status
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value)
}

/**
 * Reads an error response. A body in the contract's shape keeps its code and message; anything
 * else (an unknown code from a newer agent, a proxy's HTML page) gets a code from the status, so
 * callers can always switch on `code`.
 */
export function apiErrorFrom(status: number, body: unknown): ApiError {
  const error = typeof body === 'object' && body !== null ? (body as Partial<ErrorBody>).error : undefined
  const message = typeof error?.message === 'string' && error.message !== '' ? error.message : `the agent answered HTTP ${status}`
  if (isErrorCode(error?.code)) return new ApiError(error.code, message, status)
  const code: ErrorCode = status === 403 ? 'ADMIN_SOCKET_REQUIRED' : status === 404 ? 'NOT_FOUND' : status === 429 ? 'TOO_MANY_REQUESTS' : status >= 500 ? 'UNAVAILABLE' : 'BAD_REQUEST'
  const suffix = typeof error?.code === 'string' ? ` (${error.code})` : ''
  return new ApiError(code, `${message}${suffix}`, status)
}
