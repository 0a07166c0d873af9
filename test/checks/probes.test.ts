/**
 * http and tcp checks against a real HTTP server and a real TCP listener on 127.0.0.1. Timeouts
 * run on a VirtualClock the test advances once the request is known to be waiting.
 */
import assert from 'node:assert/strict'
import { createServer as createHttpServer, type Server as HttpServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { httpStatusOf, probeHttp, probeTcp } from '../../src/checks/probes.ts'
import { systemClock } from '../../src/runtime/clock.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { closedPort, startTcpListener, type TcpListener } from './net-helpers.ts'
import { waitFor } from './proc-helpers.ts'

const T = { timeout: 20_000 }
const clock = systemClock()

describe('http checks against a real server', () => {
  let server: HttpServer
  let base: string
  let hanging = 0
  const held: ServerResponse[] = []
  before(async () => {
    server = createHttpServer((req, res) => {
      const path = req.url ?? '/'
      if (path === '/hang') {
        hanging += 1
        held.push(res)
        return
      }
      if (path === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' })
        res.end('x'.repeat(200_000) + 'needle')
        return
      }
      const code = Number(path.slice(1)) || 200
      res.writeHead(code, { 'content-type': 'text/plain' })
      res.end(code === 200 ? 'status: ok\n' : 'nope\n')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  after(async () => {
    for (const res of held) res.destroy()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  const probe = (path: string, expectBody?: string, bodyBytesMax = 65_536) =>
    probeHttp({ url: `${base}${path}`, expectBody, timeoutMs: 5000, bodyBytesMax, clock }).done

  for (const [code, status] of [[200, 'passing'], [204, 'passing'], [429, 'warning'], [404, 'critical'], [500, 'critical'], [503, 'critical'], [301, 'critical']] as const) {
    test(`HTTP ${code} is ${status}`, T, async () => {
      const { result } = await probe(`/${code}`)
      assert.equal(result.status, status)
      assert.match(result.output, new RegExp(`^HTTP ${code} `))
    })
  }

  test('expectBody: a substring of the body passes, a missing one is critical', T, async () => {
    assert.equal((await probe('/200', 'status: ok')).result.status, 'passing')
    const missing = await probe('/200', 'status: degraded')
    assert.equal(missing.result.status, 'critical')
    assert.equal(missing.result.output, 'HTTP 200 OK but the body does not contain "status: degraded"')
  })

  test('expectBody is looked for only in the first bodyBytesMax bytes', T, async () => {
    assert.equal((await probe('/big', 'needle', 1_000_000)).result.status, 'passing')
    const cut = await probe('/big', 'needle', 4096)
    assert.equal(cut.result.status, 'critical')
    assert.match(cut.result.output, /first 4096 bytes/)
  })

  test('no answer within the timeout is critical', T, async () => {
    const virtual = new VirtualClock()
    const before = hanging
    const run = probeHttp({ url: `${base}/hang`, expectBody: undefined, timeoutMs: 2000, bodyBytesMax: 1024, clock: virtual })
    await waitFor(() => hanging > before, 'the request reached the server')
    virtual.advance(2000)
    const outcome = await run.done
    assert.equal(outcome.timedOut, true)
    assert.equal(outcome.result.status, 'critical')
    assert.equal(outcome.result.output, `GET ${base}/hang: no answer within 2000 ms`)
  })

  test('a refused connection is critical, naming the error', T, async () => {
    const port = await closedPort()
    const { result } = await probeHttp({ url: `http://127.0.0.1:${port}/`, expectBody: undefined, timeoutMs: 5000, bodyBytesMax: 1024, clock }).done
    assert.equal(result.status, 'critical')
    assert.match(result.output, /ECONNREFUSED/)
  })

  test('httpStatusOf', () => {
    assert.deepEqual([200, 299, 300, 429, 430, 100].map(httpStatusOf), ['passing', 'passing', 'critical', 'warning', 'critical', 'critical'])
  })
})

describe('tcp checks against a real listener', () => {
  let listener: TcpListener
  let port: number
  before(async () => {
    listener = await startTcpListener()
    port = listener.port
  })
  after(() => listener.close())

  test('a connection that opens is passing', T, async () => {
    const { result } = await probeTcp({ host: '127.0.0.1', port, timeoutMs: 5000, clock }).done
    assert.equal(result.status, 'passing')
    assert.match(result.output, new RegExp(`^TCP 127.0.0.1:${port} connected in \\d+ ms$`))
  })

  test('a closed port is critical', T, async () => {
    const { result } = await probeTcp({ host: '127.0.0.1', port: await closedPort(), timeoutMs: 5000, clock }).done
    assert.equal(result.status, 'critical')
    assert.match(result.output, /ECONNREFUSED/)
  })

  test('stop() abandons a probe', T, async () => {
    const virtual = new VirtualClock()
    const run = probeTcp({ host: '127.0.0.1', port, timeoutMs: 5000, clock: virtual })
    run.stop()
    const outcome = await run.done
    assert.equal(outcome.timedOut, false)
    assert.match(outcome.result.output, /stopped/)
  })
})
