/**
 * The serialized GET /v1/view answer and its ETag, shared by every listener of one agent (the
 * read socket, the admin socket, the TCP listener): a poller on each costs one build of the view
 * per period in all, not one per listener, and all of them answer with the same bytes and ETag.
 *
 * Freshness (viewCacheMs in limits.ts): a body is reused while it is younger than `maxAgeMs` AND
 * the state's version is the one it was built at. The version is the event log's lastId: every
 * change of a member's state logs an event, so a body built before a change is never served after
 * it, however young; what changes without an event (last-heard times, phi) is bounded by the age.
 * The version and the time are read before the view is built, so an event logged while the view
 * is being built leaves the body already stale, and the next request builds it again.
 */
import { createHash } from 'node:crypto'
import type { Clock } from '../runtime/clock.ts'
import { resolveLimits, type ApiLimitOptions } from './limits.ts'

/** One serialized view and its answer's headers, ready to be written as they are. */
export interface ViewBody {
  /** The JSON and a newline, as bytes: written with no conversion per request. */
  readonly body: Buffer
  /** A strong validator of `body` (a quoted content hash), for ETag and If-None-Match. */
  readonly etag: string
  /** The 200 answer's headers as name, value, name, value... (made once per body, not per request). */
  readonly headers: readonly string[]
  /** The 304 answer's headers (RFC 9110 §15.4.5: the ETag and cache-control a 200 would carry). */
  readonly notModifiedHeaders: readonly string[]
}

export interface ViewBodyCacheOptions {
  clock: Clock
  /** How long a body may be reused, in ms (0: never, every request builds its own). */
  maxAgeMs: number
  /** The state's version; a body is never served at a version other than its own. */
  version: () => number
}

/** Builds the view's body: the same bytes for the same content, whoever built it. */
export function viewBodyOf(json: string): ViewBody {
  const body = Buffer.from(`${json}\n`)
  // A content hash, not a counter: stable across listeners and restarts, so an ETag a client
  // holds can never name other bytes. SHA-1 of ~40 KB is some tens of microseconds, paid once per build.
  const etag = `"${createHash('sha1').update(body).digest('base64url')}"`
  return {
    body,
    etag,
    headers: ['content-type', 'application/json', 'content-length', String(body.length), 'cache-control', 'no-store', 'etag', etag],
    notModifiedHeaders: ['cache-control', 'no-store', 'etag', etag]
  }
}

export class ViewBodyCache {
  private readonly clock: Clock
  private readonly maxAgeMs: number
  private readonly version: () => number
  private entry: { view: ViewBody; builtAtMs: number; version: number } | undefined
  private buildsCount = 0

  constructor(options: ViewBodyCacheOptions) {
    this.clock = options.clock
    this.maxAgeMs = options.maxAgeMs
    this.version = options.version
  }

  /** Bodies built since start (by any listener sharing this cache). */
  get builds(): number {
    return this.buildsCount
  }

  /** The body, if one is still fresh (see the file comment); undefined: build one with build(). */
  fresh(): ViewBody | undefined {
    const entry = this.entry
    if (entry === undefined) return undefined
    try {
      if (this.clock.now() - entry.builtAtMs < this.maxAgeMs && this.version() === entry.version) return entry.view
    } catch {
      // The backend cannot say its version: build afresh (and report its failure there).
    }
    this.entry = undefined
    return undefined
  }

  /**
   * Serializes what `view` returns (it may throw: the caller answers 503), keeps it while caching
   * is on, and returns it. The version and time are taken before `view` runs (see above).
   */
  build(view: () => unknown): ViewBody {
    const caching = this.maxAgeMs > 0
    const version = caching ? this.version() : 0
    const builtAtMs = this.clock.now()
    const json = JSON.stringify(view()) as string | undefined
    if (json === undefined) throw new TypeError('the backend returned nothing')
    const built = viewBodyOf(json)
    this.buildsCount += 1
    if (caching) this.entry = { view: built, builtAtMs, version }
    return built
  }
}

/** The cache for listeners over `backend`: viewCacheMs of `limits`, versioned by its event log. */
export function viewBodyCacheFor(backend: { readonly events: { readonly lastId: number } }, clock: Clock, limits: ApiLimitOptions): ViewBodyCache {
  return new ViewBodyCache({ clock, maxAgeMs: resolveLimits(limits).viewCacheMs, version: () => backend.events.lastId })
}

/**
 * Whether an If-None-Match header matches `etag` (RFC 9110 §13.1.2: weak comparison, so W/"x"
 * matches "x"; `*` matches any current representation).
 */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false
  for (const raw of header.split(',')) {
    const tag = raw.trim()
    if (tag === '*' || tag === etag || (tag.startsWith('W/') && tag.slice(2) === etag)) return true
  }
  return false
}
