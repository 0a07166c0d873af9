/**
 * The socket API under hostile clients, against a real unix socket server: malformed request
 * lines (generated), huge headers and bodies, slow clients (slowloris) and a connection flood.
 * After each attack one normal request must be answered 200; the server's own stats must show
 * each kind of reject. Every connection is bounded: destroyed at `deadlineMs` if the server has
 * not closed it by then (counted as `hung`, which should stay 0).
 */
import { connect, type Socket } from 'node:net'
import { request } from 'node:http'
import fc from 'fast-check'
import type { ApiServer } from '../../src/api/socket-listener.ts'
import type { ApiServerStats } from '../../src/api/server.ts'

export interface SocketFuzzOptions {
  server: ApiServer
  seed: number
  /** Malformed requests sent (each on its own connection). */
  malformed: number
  /**
   * Slow clients held open at once. Keep it below the server's connectionsMax to check that a
   * normal request is served meanwhile: past the limit, new clients get 429 until the slow ones
   * are cut at headersTimeoutMs (by design: the limit bounds memory, the timeout frees the slots).
   */
  slowClients: number
  /** Connections opened at once in the flood. */
  flood: number
  /** How long any one connection may stay open; past it, it is destroyed and counted as hung. */
  deadlineMs: number
}

export interface SocketFuzzResult {
  sent: { malformed: number; hugeHeaders: number; hugeBodies: number; slowClients: number; flood: number }
  /** Status lines the server answered with, by status code ("none" when it closed without one). */
  answers: Record<string, number>
  /** Connections the server left open past the deadline. */
  hung: number
  /** Normal requests after each attack that got 200. */
  healthyAfter: number
  healthChecks: number
  stats: ApiServerStats
}

/** Writes `data` (a string or chunks written with a pause between), reads until close. */
function exchange(path: string, write: (socket: Socket) => void, deadlineMs: number): Promise<{ head: string; hung: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(path)
    const chunks: Buffer[] = []
    let hung = false
    const timer = setTimeout(() => { hung = true; socket.destroy() }, deadlineMs)
    socket.on('data', (c: Buffer) => { if (chunks.length < 16) chunks.push(c) })
    socket.on('error', () => undefined)
    socket.once('connect', () => write(socket))
    socket.once('close', () => {
      clearTimeout(timer)
      resolve({ head: Buffer.concat(chunks).toString('latin1').split('\r\n')[0] ?? '', hung })
    })
  })
}

function healthy(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: path, path: '/v1/self', agent: false, timeout: 5000 }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode === 200))
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(false))
    req.end()
  })
}

const requestLine = fc.oneof(
  fc.string({ maxLength: 200 }).map((s) => `${s}\r\n\r\n`),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.tuple(fc.constantFrom('GET', 'POST', 'G\u0000T', 'GE T', '', 'BREW', 'get'), fc.string({ maxLength: 80 }), fc.constantFrom('HTTP/1.1', 'HTTP/9.9', 'HTTP/1', '', 'HTTP/1.1 x'))
    .map(([m, t, v]) => `${m} ${t} ${v}\r\nhost: x\r\n\r\n`),
  fc.constantFrom(
    'GET / HTTP/1.1\r\ncontent-length: -1\r\n\r\n',
    'POST /v1/checks/a/pass HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n',
    'GET / HTTP/1.1\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n',
    'GET /\u0000 HTTP/1.1\r\n\r\n',
    'GET /v1/view HTTP/1.1\r\n: novalue\r\n\r\n',
    '\r\n\r\n\r\n'
  )
)

export async function runSocketFuzz(o: SocketFuzzOptions): Promise<SocketFuzzResult> {
  const path = o.server.socketPath
  const answers: Record<string, number> = {}
  let hung = 0
  let healthyAfter = 0
  let healthChecks = 0
  const tally = ({ head, hung: h }: { head: string; hung: boolean }): void => {
    const status = /^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 'none'
    answers[status] = (answers[status] ?? 0) + 1
    if (h) hung++
  }
  const check = async (): Promise<void> => {
    healthChecks++
    if (await healthy(path)) healthyAfter++
  }
  const sent = { malformed: 0, hugeHeaders: 0, hugeBodies: 0, slowClients: 0, flood: 0 }

  // 1. Malformed request lines, 8 connections at a time.
  const lines = fc.sample(requestLine, { numRuns: o.malformed, seed: o.seed })
  for (let i = 0; i < lines.length; i += 8) {
    const group = lines.slice(i, i + 8)
    for (const r of await Promise.all(group.map((line) => exchange(path, (s) => s.end(line), o.deadlineMs)))) tally(r)
    sent.malformed += group.length
  }
  await check()

  // 2. Huge headers: one 64 KiB header, and 2,000 header lines.
  const bigHeader = `GET /v1/view HTTP/1.1\r\nx-big: ${'a'.repeat(64 * 1024)}\r\n\r\n`
  const manyHeaders = `GET /v1/view HTTP/1.1\r\n${Array.from({ length: 2000 }, (_, i) => `x-h${i}: v`).join('\r\n')}\r\n\r\n`
  for (const r of await Promise.all([bigHeader, manyHeaders].map((text) => exchange(path, (s) => s.end(text), o.deadlineMs)))) tally(r)
  sent.hugeHeaders += 2
  await check()

  // 3. Huge bodies: declared 100 MB, and 1 MiB actually sent chunked without a length.
  const declared = exchange(path, (s) => s.write('GET /v1/view HTTP/1.1\r\ncontent-type: application/json\r\ncontent-length: 100000000\r\n\r\n{"note":"'), o.deadlineMs)
  const chunked = exchange(path, (s) => {
    s.write('GET /v1/view HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n')
    const chunk = Buffer.alloc(64 * 1024, 0x61)
    for (let i = 0; i < 16 && s.writable; i++) s.write(`${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`)
  }, o.deadlineMs)
  for (const r of await Promise.all([declared, chunked])) tally(r)
  sent.hugeBodies += 2
  await check()

  // 4. Slowloris: headers dripped one line at a time, never finished.
  const drips: ReturnType<typeof setInterval>[] = []
  const slow = Array.from({ length: o.slowClients }, () => exchange(path, (s) => {
    s.write('GET /v1/view HTTP/1.1\r\nhost: x\r\n')
    let n = 0
    const drip = setInterval(() => { if (s.writable && n++ < 1000) s.write(`x-drip-${n}: 1\r\n`) }, 50)
    drips.push(drip)
    s.once('close', () => clearInterval(drip))
  }, o.deadlineMs))
  // A normal request is served while the slow clients hang on.
  await check()
  for (const r of await Promise.all(slow)) tally(r)
  for (const d of drips) clearInterval(d)
  sent.slowClients += o.slowClients

  // 5. Flood: many keep-alive connections at once, each left open after its answer until the
  // server's idle timeout closes it, so they pile up past connectionsMax.
  const flood = Array.from({ length: o.flood }, () => exchange(path, (s) => s.write('GET /v1/self HTTP/1.1\r\n\r\n'), o.deadlineMs))
  for (const r of await Promise.all(flood)) tally(r)
  sent.flood += o.flood
  await check()

  return { sent, answers, hung, healthyAfter, healthChecks, stats: o.server.stats() }
}
