import * as lp from 'it-length-prefixed'
import { TimeoutError, type Connection, type Libp2p, type PeerId, type Stream } from '@libp2p/interface'
import type { Logger } from 'pino'
import type { RequestHandler } from './types.ts'

/**
 * Request/response over libp2p streams: the requester opens a new stream, writes one
 * length-prefixed frame and closes its writing end; the responder reads that frame, runs the
 * handler and writes one length-prefixed frame back. Any failure on the responder's side resets
 * the stream, which the requester sees as a rejection.
 *
 * libp2p 3 streams are no longer `{ source, sink }` duplexes: they are event targets that are
 * also async iterables of incoming chunks, written with `send()` and half-closed with `close()`.
 * So frames are decoded with it-length-prefixed straight from the stream, and written with
 * `encode.single` + `send`.
 */

/** Largest request or response frame, either way (it-length-prefixed's default, stated). */
export const FRAME_BYTES_MAX = 4 * 1024 * 1024

/**
 * How long the responder gives one exchange (read the request, run the handler, write the
 * response). Bounds the streams a slow or stalled requester can hold open; a requester waits at
 * most its own timeoutMs anyway.
 */
export const SERVE_TIMEOUT_MS = 30_000

/** Aborts the stream when the signal fires, so pending reads and writes fail promptly. */
function abortOnSignal(stream: Stream, signal: AbortSignal): () => void {
  const onAbort = (): void => stream.abort(new TimeoutError('request timed out'))
  if (signal.aborted) onAbort()
  else signal.addEventListener('abort', onAbort, { once: true })
  return () => signal.removeEventListener('abort', onAbort)
}

/** Reads exactly one frame; rejects if the stream ends first or the frame exceeds the limit. */
async function readFrame(stream: Stream): Promise<Uint8Array> {
  for await (const frame of lp.decode(stream, { maxDataLength: FRAME_BYTES_MAX })) {
    return frame.subarray()
  }
  throw new Error(`stream ended before a complete frame (protocol ${stream.protocol})`)
}

/** Writes one frame and closes our writing end once it has been handed to the muxer. */
async function writeFrame(stream: Stream, data: Uint8Array, signal: AbortSignal): Promise<void> {
  stream.send(lp.encode.single(data, { maxDataLength: FRAME_BYTES_MAX }))
  await stream.close({ signal })
}

/** The requester's side; rejects on timeout, reset, oversize or a missing protocol. */
export async function sendRequest(node: Libp2p, peer: PeerId, protocol: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
  if (data.byteLength > FRAME_BYTES_MAX) {
    throw new RangeError(`request of ${data.byteLength} bytes exceeds the ${FRAME_BYTES_MAX}-byte frame limit`)
  }
  const signal = AbortSignal.timeout(timeoutMs)
  let stream: Stream | undefined
  let release = (): void => {}
  try {
    stream = await node.dialProtocol(peer, protocol, { signal })
    release = abortOnSignal(stream, signal)
    await writeFrame(stream, data, signal)
    return await readFrame(stream)
  } catch (err) {
    stream?.abort(err instanceof Error ? err : new Error(String(err)))
    throw signal.aborted ? new TimeoutError(`request to ${peer.toString()} on ${protocol} timed out after ${timeoutMs} ms`) : err
  } finally {
    release()
  }
}

/** The responder's side, as a libp2p stream handler that never throws. */
export function serveRequests(protocol: string, lookup: () => RequestHandler | undefined, log: Logger) {
  return async (stream: Stream, connection: Connection): Promise<void> => {
    const signal = AbortSignal.timeout(SERVE_TIMEOUT_MS)
    const release = abortOnSignal(stream, signal)
    const from = connection.remotePeer.toString()
    try {
      const handler = lookup()
      if (handler === undefined) throw new Error(`no handler for ${protocol}`)
      const request = await readFrame(stream)
      const response = await handler(from, request)
      await writeFrame(stream, response, signal)
    } catch (err) {
      // A failing handler must not take the process down: reset the stream (the requester's
      // promise rejects) and log.
      log.debug({ err, protocol, from }, 'request handler failed; stream reset')
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      release()
    }
  }
}
