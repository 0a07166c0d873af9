/**
 * Open-loop HTTP load for the benches: GET one path at a fixed rate over a few keep-alive
 * connections, each request's latency measured from the time it was due by the schedule, not
 * from when it went out. A closed loop (autocannon: each connection sends its next request when
 * the answer arrives) sends nothing while the server stalls, so a stall delays one request in its
 * figures instead of every request that should have been sent meanwhile (coordinated omission,
 * G. Tene, "How NOT to measure latency"; wrk2 measures the same way as here).
 *
 * Requests due while every connection is waiting for an answer queue here and go out, oldest
 * first, as connections free up; their wait counts in their latency. How late each went out
 * (sendLagMs: sent minus due: that wait, plus the generator's own lateness, e.g. while the OS
 * runs another process on its core) is reported apart, and so is the time from sending to the
 * answer (serviceMs), so what the generator adds is visible. Timers fire 1 ms late at best (at
 * 5,000 req/s, bursts of five requests each up to 1 ms late), so a request due within 2 ms is
 * waited for by sleeps of finer grain (Atomics.wait), not by a busy loop, which on a shared
 * 2-core machine takes a core from the agent and gets the generator itself descheduled for
 * milliseconds at a time. While an answer is awaited the sleeps last at most 50 us, as one that
 * arrives during a sleep is read at its end: serviceMs and latencyMs may be over-stated by that
 * much, plus the wake-up (some tens of microseconds).
 *
 * The HTTP client is minimal on purpose: one request line, answers framed by content-length
 * (what the agent sends for every non-stream route), so its cost per request stays small next to
 * the server's. An answer without content-length is counted as an error and its connection closed.
 */
import { connect, type Socket } from 'node:net'
import type { Clock } from '../../src/runtime/clock.ts'

export type OpenLoopTarget = { socketPath: string } | { host: string; port: number }

export interface OpenLoopOptions {
  target: OpenLoopTarget
  path: string
  ratePerSec: number
  durationS: number
  connections: number
  clock: Clock
}

export interface OpenLoopResult {
  /** Requests the schedule held, and those answered (any status) before the end. */
  scheduled: number
  completed: number
  /** Due but not answered by a second after the last was due: the agent fell that far behind. */
  unanswered: number
  non2xx: number
  /** Connection errors, and answers without content-length. */
  errors: number
  elapsedMs: number
  /** Per answered request, in ms: from due to answered, from sent to answered, from due to sent. */
  latencyMs: Float64Array
  serviceMs: Float64Array
  sendLagMs: Float64Array
}

const HEADER_END = Buffer.from('\r\n\r\n')
/** Atomics.wait on it is a sleep of sub-millisecond precision (timers have 1 ms steps). */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4))
/** The longest an answer waits to be read while the generator sleeps (see the file comment). */
const SLEEP_SLICE_MS = 0.05

interface Connection {
  socket: Socket
  busy: boolean
  dueMs: number
  sentMs: number
  chunks: Buffer[]
  received: number
  /** Bytes of the whole answer (headers + body), once its headers are in. */
  answerBytes: number | undefined
  status: number
}

export async function openLoopLoad(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const { clock, ratePerSec, connections: connectionCount } = options
  const request = Buffer.from(`GET ${options.path} HTTP/1.1\r\nhost: localhost\r\n\r\n`)
  const scheduled = Math.round(ratePerSec * options.durationS)
  const intervalMs = 1000 / ratePerSec
  const latency: number[] = []
  const service: number[] = []
  const lag: number[] = []
  let non2xx = 0
  let errors = 0
  let completed = 0
  let next = 0
  const waiting: number[] = []
  let startMs = 0
  let finish: () => void = () => undefined
  const done = new Promise<void>((resolve) => { finish = resolve })

  const connections = await Promise.all(Array.from({ length: connectionCount }, () => open(options.target)))
  const idle = (): Connection | undefined => connections.find((c) => !c.busy && !c.socket.destroyed)
  const settled = (): boolean => next >= scheduled && waiting.length === 0 && connections.every((c) => !c.busy)

  const send = (c: Connection, dueMs: number): void => {
    c.busy = true
    c.dueMs = dueMs
    c.sentMs = clock.now()
    c.chunks = []
    c.received = 0
    c.answerBytes = undefined
    c.socket.write(request)
  }
  const pump = (): void => {
    const now = clock.now()
    while (next < scheduled && startMs + next * intervalMs <= now) waiting.push(startMs + next++ * intervalMs)
    for (let c = idle(); c !== undefined && waiting.length > 0; c = idle()) send(c, waiting.shift()!)
    if (settled() || connections.every((c) => c.socket.destroyed)) finish()
  }
  let timer: { cancel(): void } | undefined
  let immediate: NodeJS.Immediate | undefined
  /**
   * Sends what is due, then comes back when the next request is (see the file comment). Runs
   * from timers and immediates only, never inside a socket's callback, so a sleep never holds
   * up answers the event loop has already read.
   */
  const tick = (): void => {
    timer = undefined
    immediate = undefined
    pump()
    if (next >= scheduled) return
    const untilDueMs = startMs + next * intervalMs - clock.now()
    if (untilDueMs >= 2) {
      timer = clock.setTimeout(tick, untilDueMs - 1)
      return
    }
    // While an answer is awaited, sleep in slices, so that it is read at most a slice late.
    const sleepMs = connections.some((c) => c.busy) ? Math.min(untilDueMs, SLEEP_SLICE_MS) : untilDueMs
    if (sleepMs > 0) Atomics.wait(SLEEPER, 0, 0, sleepMs)
    immediate = setImmediate(tick)
  }

  for (const c of connections) {
    c.socket.on('data', (chunk: Buffer) => {
      if (!c.busy) return
      c.chunks.push(chunk)
      c.received += chunk.length
      if (c.answerBytes === undefined) {
        const head = c.chunks.length === 1 ? chunk : Buffer.concat(c.chunks)
        const end = head.indexOf(HEADER_END)
        if (end < 0) return
        const headers = head.subarray(0, end).toString('latin1')
        c.status = Number(headers.slice(9, 12))
        const length = /\r\ncontent-length: *(\d+)/i.exec(headers)
        if (length === null) {
          errors += 1
          c.socket.destroy()
          return
        }
        c.answerBytes = end + HEADER_END.length + Number(length[1])
      }
      if (c.received < c.answerBytes) return
      const now = clock.now()
      latency.push(now - c.dueMs)
      service.push(now - c.sentMs)
      lag.push(c.sentMs - c.dueMs)
      completed += 1
      if (c.status < 200 || c.status > 299) non2xx += 1
      c.busy = false
      pump()
    })
    c.socket.on('error', () => { errors += 1 })
    c.socket.on('close', () => {
      c.busy = false
      pump()
    })
  }

  startMs = clock.now()
  tick()
  // Answers still missing a second after the last was due are counted as errors.
  const deadline = clock.setTimeout(() => finish(), options.durationS * 1000 + 1000)
  await done
  const elapsedMs = clock.now() - startMs
  deadline.cancel()
  timer?.cancel()
  if (immediate !== undefined) clearImmediate(immediate)
  for (const c of connections) c.socket.destroy()
  return {
    scheduled, completed, unanswered: scheduled - completed, non2xx, errors, elapsedMs,
    latencyMs: Float64Array.from(latency).sort(),
    serviceMs: Float64Array.from(service).sort(),
    sendLagMs: Float64Array.from(lag).sort()
  }
}

function open(target: OpenLoopTarget): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = 'socketPath' in target ? connect(target.socketPath) : connect(target.port, target.host)
    socket.setNoDelay(true)
    socket.once('error', reject)
    socket.once('connect', () => {
      socket.off('error', reject)
      resolve({ socket, busy: false, dueMs: 0, sentMs: 0, chunks: [], received: 0, answerBytes: undefined, status: 0 })
    })
  })
}
