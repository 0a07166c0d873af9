/**
 * The body of POST /v1/checks/{id}/pass|warn|fail: empty, or a JSON object `{"note": "..."}`
 * (Consul's TTL update takes the note the same way). Anything else is a 400 that names the
 * rule; the note's size is bounded by the checks (checkOutputBytesMax) and the body's by the
 * server (requestBodyBytesMax). Pure.
 */
import type { RouteError } from './routes.ts'

const RULE = 'the body must be empty or a JSON object {"note": "<text>"}'

/** The note (undefined when none), or the error to answer. */
export function checkInNote(body: Buffer): string | undefined | RouteError {
  const text = body.toString('utf8')
  if (text.trim() === '') return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return { code: 'BAD_REQUEST', message: `${RULE}; it is not JSON` }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { code: 'BAD_REQUEST', message: RULE }
  const extra = Object.keys(parsed).filter((key) => key !== 'note')
  if (extra.length > 0) return { code: 'BAD_REQUEST', message: `${RULE}; unknown field ${JSON.stringify(extra[0])}` }
  const note = (parsed as { note?: unknown }).note
  if (note === undefined) return undefined
  if (typeof note !== 'string') return { code: 'BAD_REQUEST', message: `${RULE}; "note" must be a string` }
  return note
}
