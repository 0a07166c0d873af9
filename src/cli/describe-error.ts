/**
 * One line describing a failure, for stderr (and for the UNKNOWN line of `healthmon health`).
 * When no agent listens on the socket, it also says how to start one.
 */
import { HealthmonError } from '../errors.ts'

function errnoOfCause(error: HealthmonError): string | undefined {
  const cause = error.cause
  return typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined
}

/** One line for stderr; for an absent agent, also how to start one. */
export function describeError(error: unknown): string {
  if (error instanceof HealthmonError) {
    let text = `${error.message} (${error.code})`
    const errno = errnoOfCause(error)
    if (error.code === 'AGENT_UNREACHABLE' && (errno === 'ENOENT' || errno === 'ECONNREFUSED')) {
      text += '; start one with `healthmon agent` (or `npm start` in a source checkout), or point --socket at a running one'
    }
    return text
  }
  return error instanceof Error ? error.message : String(error)
}
