/**
 * What node:http's parser rejects before any request event (a malformed request, a timeout,
 * headers over the limit), by kind for the stats, and the answer to it: written raw on the
 * socket, as no ServerResponse exists yet, and always closing the connection.
 */
import { STATUS_CODES } from 'node:http'
import { errorJson } from './errors.ts'
import { HEADER_BYTES_MAX } from './limits.ts'
import type { ClientErrorKind } from './stats.ts'

export function parserErrorKind(error: NodeJS.ErrnoException): ClientErrorKind {
  return error.code === 'ECONNRESET' ? 'reset'
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'timeout'
    : error.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large'
    : 'malformed'
}

/** The status and the whole answer (status line, headers, JSON error body) to a rejected request. */
export function parserErrorAnswer(error: NodeJS.ErrnoException): { status: number; raw: string } {
  const [status, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'the request was not received in time']
    : error.code === 'HPE_HEADER_OVERFLOW' ? [431, `request headers exceed ${HEADER_BYTES_MAX} bytes`]
    : [400, `malformed HTTP request (${error.code ?? error.message})`]
  const json = errorJson('BAD_REQUEST', message)
  const head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\nconnection: close\r\n\r\n`
  return { status, raw: head + json }
}
