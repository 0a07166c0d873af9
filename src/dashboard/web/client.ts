/**
 * The dashboard's requests to the agent that served it (same origin, so no CORS). With a token
 * (the agent's httpTokenFile), every request carries `Authorization: Bearer`: the token comes
 * from the URL fragment (#token=..., never sent to a server) or the form the page shows after a
 * 401, and is kept in sessionStorage for this tab only.
 */
const TOKEN_KEY = 'healthmon.token'

export class Unauthorized extends Error {}

/** A refusal from the agent: its HTTP status and the message of its error body. */
export class HttpError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export function currentToken(): string {
  const fragment = new URLSearchParams(location.hash.slice(1)).get('token')
  if (fragment !== null && fragment !== '') {
    sessionStorage.setItem(TOKEN_KEY, fragment)
    history.replaceState(null, '', location.pathname + location.search)
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token)
}

function headers(): HeadersInit {
  const token = currentToken()
  return token === '' ? {} : { authorization: `Bearer ${token}` }
}

/** GET a JSON path; 401 throws Unauthorized, other failures an Error with the agent's message. */
export async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const res = await fetch(path, { headers: headers(), signal, cache: 'no-store' })
  if (res.status === 401) throw new Unauthorized('the agent wants a token')
  const body: unknown = await res.json().catch(() => null)
  // /v1/health answers 429/503 with a report: that is data, not a failure.
  if (!res.ok && !(path.startsWith('/v1/health') && body !== null)) {
    const message = (body as { error?: { message?: string } } | null)?.error?.message
    throw new HttpError(res.status, message ?? `HTTP ${res.status}`)
  }
  return body
}

/** Longest line accepted from the stream; a longer one means something is wrong, so stop. */
const LINE_CHARS_MAX = 1_000_000

/**
 * Follows GET /v1/events/stream from `after`, calling `onLine` with each parsed line, until the
 * stream ends (resolves) or fails (rejects). The caller reconnects from the last id it saw.
 */
export async function followStream(after: number, onLine: (line: unknown) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(`/v1/events/stream?after=${after}`, { headers: headers(), signal, cache: 'no-store' })
  if (res.status === 401) throw new Unauthorized('the agent wants a token')
  if (!res.ok || res.body === null) throw new Error(`event stream: HTTP ${res.status}`)
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  let pending = ''
  for (;;) {
    const { value, done } = await reader.read()
    if (done) return
    pending += value
    let newline = pending.indexOf('\n')
    while (newline >= 0) {
      const line = pending.slice(0, newline)
      pending = pending.slice(newline + 1)
      if (line.trim() !== '') {
        try {
          onLine(JSON.parse(line))
        } catch {
          // A line that is not JSON is skipped; the next one is read as usual.
        }
      }
      newline = pending.indexOf('\n')
    }
    if (pending.length > LINE_CHARS_MAX) throw new Error('event stream: a line too long')
  }
}
