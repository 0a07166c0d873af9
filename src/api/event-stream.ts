/**
 * One GET /v1/events/stream response: NDJSON lines (`StreamLine` in protocol.ts) over a chunked
 * HTTP/1.1 response that lasts until the client goes, the agent stops, or the client reads too
 * slowly.
 *
 * - Replay (`?after=<id>`): the events after `id` still in the event log are written a page at a
 *   time, waiting for the socket to drain between pages, so a long replay never piles up in
 *   memory. An `after` older than the log starts at its oldest event (the jump in ids shows the
 *   gap); an `after` above the newest id (the agent restarted since) starts from now.
 * - Live: once caught up, each event is written as it is logged. The bytes the client leaves
 *   unread are bounded: past `bufferBytesMax` the stream is cut with a final SLOW_CONSUMER
 *   line. While replaying, the bound is the event log itself: a client so slow that the events
 *   it still needs drop out of the log is cut the same way.
 * - Idle: a heartbeat line every `heartbeatMs` without other output, so clients and proxies can
 *   tell a quiet agent from a dead connection.
 * - Shutdown: a final UNAVAILABLE line, then the response ends cleanly.
 * A client that stops reading altogether cannot hold the agent up: after the final line, the
 * connection is destroyed if it has not flushed within CLOSE_GRACE_MS.
 */
import type { ServerResponse } from 'node:http'
import type { ErrorCode } from '../errors.ts'
import type { Clock, Timer } from '../runtime/clock.ts'
import type { StreamLine } from './protocol.ts'
import { eventEntry, type EventFeed, type FeedEvent } from './routes.ts'

/** Events read from the log per replay step. */
const REPLAY_PAGE = 100
/** Replay writes pause while this many bytes wait unsent, until the socket drains. */
const REPLAY_HIGH_WATER_BYTES = 64 * 1024
/** How long a final line may take to flush before the connection is destroyed. */
const CLOSE_GRACE_MS = 1000

export const STREAM_CONTENT_TYPE = 'application/x-ndjson; charset=utf-8'

export type StreamEnd = 'client' | 'slow' | 'shutdown'

export interface EventStreamOptions {
  res: ServerResponse
  feed: EventFeed
  clock: Clock
  heartbeatMs: number
  bufferBytesMax: number
  /** Replay the events after this id first; undefined: only new events. */
  after: number | undefined
  /** Called once, when the stream is over for whatever reason. */
  onEnd(reason: StreamEnd): void
}

export class EventStream {
  private readonly options: EventStreamOptions
  private readonly res: ServerResponse
  private cursor: number
  private replaying: boolean
  private waitingForDrain = false
  private ended = false
  private unsubscribe: (() => void) | undefined
  private heartbeat: Timer | undefined

  constructor(options: EventStreamOptions) {
    this.options = options
    this.res = options.res
    const { feed, after } = options
    // Below the log's oldest event: start at the oldest (ids show the gap). Above the newest
    // (the agent restarted and ids began again at 1): start from now.
    this.cursor = after === undefined ? feed.lastId : Math.min(Math.max(after, feed.firstId - 1), feed.lastId)
    this.replaying = this.cursor < feed.lastId
  }

  start(): void {
    const res = this.res
    res.statusCode = 200
    res.setHeader('content-type', STREAM_CONTENT_TYPE)
    res.setHeader('cache-control', 'no-store')
    // One stream per connection: when it ends, so does the connection.
    res.setHeader('connection', 'close')
    res.flushHeaders()
    res.once('close', () => this.finish('client'))
    this.unsubscribe = this.options.feed.subscribe((event) => this.onEvent(event))
    this.scheduleHeartbeat()
    if (this.replaying) this.pump()
  }

  /** Ends the stream because the agent is stopping. */
  shutdown(): void {
    this.cut('UNAVAILABLE', 'the agent is shutting down', 'shutdown')
  }

  private onEvent(event: FeedEvent): void {
    if (this.ended) return
    if (this.replaying) {
      this.pump()
      return
    }
    this.writeLine(eventEntry(event))
    this.cursor = event.id
    if (this.res.writableLength > this.options.bufferBytesMax) {
      this.cut('SLOW_CONSUMER', `more than ${this.options.bufferBytesMax} bytes of events were left unread; reconnect with ?after=${this.cursor}`, 'slow')
    }
  }

  /** Replays from the log at the client's pace. */
  private pump(): void {
    const { feed } = this.options
    while (this.replaying && !this.ended && !this.waitingForDrain) {
      if (this.cursor < feed.firstId - 1) {
        this.cut('SLOW_CONSUMER', `the events after ${this.cursor} left the event log before they were read; reconnect with ?after=${this.cursor}`, 'slow')
        return
      }
      if (this.res.writableLength >= REPLAY_HIGH_WATER_BYTES) {
        this.waitingForDrain = true
        this.res.once('drain', () => {
          this.waitingForDrain = false
          this.pump()
        })
        return
      }
      const page = feed.after(this.cursor, REPLAY_PAGE)
      if (page.length === 0) {
        this.replaying = false
        return
      }
      for (const event of page) this.writeLine(eventEntry(event))
      this.cursor = page.at(-1)!.id
    }
  }

  private writeLine(line: StreamLine): void {
    this.res.write(`${JSON.stringify(line)}\n`)
    this.scheduleHeartbeat()
  }

  private scheduleHeartbeat(): void {
    this.heartbeat?.cancel()
    if (this.ended) return
    this.heartbeat = this.options.clock.setTimeout(() => {
      if (this.ended) return
      // A client that is not reading gets no more heartbeats: they would only pile up.
      if (this.waitingForDrain || this.res.writableNeedDrain) this.scheduleHeartbeat()
      else this.writeLine({ type: 'heartbeat', at: new Date(this.options.clock.now()).toISOString(), lastId: this.options.feed.lastId })
    }, this.options.heartbeatMs)
  }

  /** Writes a final error line and ends the stream; destroys the connection if it does not flush. */
  private cut(code: ErrorCode, message: string, reason: StreamEnd): void {
    if (this.ended) return
    const res = this.res
    res.write(`${JSON.stringify({ type: 'error', at: new Date(this.options.clock.now()).toISOString(), error: { code, message } } satisfies StreamLine)}\n`)
    this.finish(reason)
    const grace = this.options.clock.setTimeout(() => res.destroy(), CLOSE_GRACE_MS)
    res.once('close', () => grace.cancel())
    res.end()
  }

  private finish(reason: StreamEnd): void {
    if (this.ended) return
    this.ended = true
    this.heartbeat?.cancel()
    this.unsubscribe?.()
    this.options.onEnd(reason)
  }
}
