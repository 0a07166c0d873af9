/**
 * The endpoints added on top of the base server, against a real unix socket over fixture data:
 * query parameters, alerts filters, health, the event log, the event stream, metrics and the
 * view cache. The same endpoints against a real agent: agent.test.ts.
 */
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { ApiClient } from '../../src/api/client.ts'
import { API_PATHS, type AlertHistoryResponse, type AlertsResponse, type AlertView, type ClusterView, type SilencesResponse, type SilenceView, type EventsResponse, type HealthReport, type StreamLine } from '../../src/api/protocol.ts'
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/api/socket-listener.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { ALERTS, EVENTS_AT_MS, fixtureBackend, httpRequest, METRICS_TEXT, peerEvent, rawConnect, tempDir, until, VIEW, type FixtureBackend } from './fixtures.ts'

const T = { timeout: 10_000 }

async function serve(socketPath: string, options: Partial<ApiServerOptions> = {}): Promise<ApiServer & AsyncDisposable> {
  const server = await startApiServer({ socketPath, backend: fixtureBackend(), logger: silentLogger(), ...options })
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.close() })
}

function errorOf(text: string): { code: string; message: string } {
  return (JSON.parse(text) as { error: { code: string; message: string } }).error
}

async function badRequest(socketPath: string, path: string, mentions: RegExp): Promise<void> {
  const answer = await httpRequest(socketPath, { path })
  assert.equal(answer.status, 400, `${path}: ${answer.text}`)
  const error = errorOf(answer.text)
  assert.equal(error.code, 'BAD_REQUEST')
  assert.match(error.message, mentions, path)
}

describe('query parameters', () => {
  test('an unknown, repeated or malformed parameter is a 400 naming it', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'))
    const s = server.socketPath
    await badRequest(s, '/v1/view?pretty=1', /takes no query parameters \(got "pretty"\)/)
    await badRequest(s, '/v1/peers/node-b?x=1', /takes no query parameters/)
    await badRequest(s, '/v1/alerts?stat=firing', /unknown query parameter "stat" for \/v1\/alerts; it takes "state", "severity", "peer", "matcher", "since", "until", "limit"/)
    await badRequest(s, '/v1/alerts?state=firing&state=pending', /"state" is given more than once/)
    await badRequest(s, '/v1/alerts?state=dead', /"state" must be one or more of pending, firing, flapping, resolved/)
    await badRequest(s, '/v1/alerts?severity=fatal', /"severity" must be/)
    await badRequest(s, '/v1/alerts?limit=0', /"limit" must be an integer from 1 to 1000/)
    await badRequest(s, '/v1/alerts?limit=1001', /"limit"/)
    await badRequest(s, '/v1/alerts?limit=2.5', /"limit"/)
    await badRequest(s, '/v1/alerts?since=yesterday', /"since" must be an ISO 8601 time/)
    await badRequest(s, '/v1/alerts?since=2025-13-45T00:00:00Z', /"since"/)
    await badRequest(s, '/v1/alerts?peer=', /"peer" must be non-empty/)
    await badRequest(s, '/v1/alerts?matcher=peer%3D~%22(a%2B)%2B%22', /"matcher" must be label matchers/)
    await badRequest(s, '/v1/alerts?matcher=%7Bpeer%3D%22x', /"matcher"/)
    await badRequest(s, '/v1/health?format=xml', /"format" must be one of json, text/)
    await badRequest(s, '/v1/events?after=-1', /"after" must be an integer/)
    await badRequest(s, '/v1/events?limit=5000', /"limit" must be an integer from 1 to 1000/)
    await badRequest(s, '/v1/events/stream?after=x', /"after"/)
    await badRequest(s, '/metrics?name=x', /takes no query parameters/)
    assert.equal(server.stats().requests.alerts['4xx'], 12)
  })
})

describe('GET /v1/alerts', () => {
  test('filters by state, severity, peer (id or name), label matchers and start time; firing first, then newest', T, async () => {
    await using tmp = await tempDir()
    // "now" is fixed so that relative times are exact.
    const nowMs = Date.parse('2025-01-01T02:13:00.000Z')
    await using server = await serve(join(tmp.dir, 's.sock'), { clock: { now: () => nowMs, setTimeout: () => ({ cancel() {} }), setInterval: () => ({ cancel() {} }) } })
    const client = new ApiClient(server.socketPath)
    const get = (query: string) => client.get<AlertsResponse>(`${API_PATHS.alerts}${query}`)
    const [suspect, dead, disk] = ALERTS as [AlertView, AlertView, AlertView]
    assert.deepEqual(await get(''), { alerts: [dead, suspect, disk], matched: 3 })
    assert.deepEqual(await get('?state=pending'), { alerts: [disk], matched: 1 })
    assert.deepEqual(await get('?state=firing,resolved'), { alerts: [dead, suspect], matched: 2 })
    assert.deepEqual(await get('?severity=critical'), { alerts: [dead], matched: 1 })
    assert.deepEqual(await get('?peer=node-c'), { alerts: [suspect], matched: 1 })
    assert.deepEqual(await get(`?peer=${VIEW.peers[2]!.id}`), { alerts: [dead], matched: 1 })
    assert.deepEqual(await get('?peer=nobody'), { alerts: [], matched: 0 })
    assert.deepEqual(await get(`?matcher=${encodeURIComponent('alertname=~"Peer.*",severity!="critical"')}`), { alerts: [suspect], matched: 1 })
    assert.deepEqual(await get(`?matcher=${encodeURIComponent('{mountpoint="/var"}')}`), { alerts: [disk], matched: 1 })
    assert.deepEqual(await get('?since=2025-01-01T02:12:00Z'), { alerts: [dead, suspect], matched: 2 })
    assert.deepEqual(await get('?since=45s'), { alerts: [dead], matched: 1 })
    assert.deepEqual(await get('?until=2025-01-01T02:12:00Z'), { alerts: [disk], matched: 1 })
    assert.deepEqual(await get('?limit=1'), { alerts: [dead], matched: 3 })
  })

  test('history pages newest first with a cursor; silences are listed, added (201) and expired; errors carry their codes', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'), { access: 'admin' })
    const client = new ApiClient(server.socketPath)
    const first = await client.get<AlertHistoryResponse>(`${API_PATHS.alertHistory}?limit=2`)
    assert.deepEqual(first.alerts.map((a) => a.id), [3, 2])
    assert.equal(first.nextBefore, 2)
    const last = await client.get<AlertHistoryResponse>(`${API_PATHS.alertHistory}?limit=2&before=2`)
    assert.deepEqual(last.alerts.map((a) => a.id), [1])
    assert.equal(last.nextBefore, null)
    await badRequest(server.socketPath, '/v1/alerts/history?before=0', /"before" must be an integer/)

    assert.deepEqual(await client.get<SilencesResponse>(API_PATHS.silences), { silences: [] })
    const created = await httpRequest(server.socketPath, { method: 'POST', path: API_PATHS.silences, body: JSON.stringify({ matchers: ['alertname=PeerDead'], duration: '1h', createdBy: 'ops' }) })
    assert.equal(created.status, 201, created.text)
    const silence = JSON.parse(created.text) as SilenceView
    assert.deepEqual(silence.matchers, [{ name: 'alertname', op: '=', value: 'PeerDead' }])
    assert.equal((await client.get<SilencesResponse>(API_PATHS.silences)).silences.length, 1)
    const bad = await httpRequest(server.socketPath, { method: 'POST', path: API_PATHS.silences, body: JSON.stringify({ matchers: [], createdBy: 'ops' }) })
    assert.equal(bad.status, 400)
    assert.equal(errorOf(bad.text).code, 'SILENCE_INVALID')
    const notJson = await httpRequest(server.socketPath, { method: 'POST', path: API_PATHS.silences, body: 'matchers=x' })
    assert.equal(notJson.status, 400)
    assert.match(errorOf(notJson.text).message, /must be JSON/)
    const expired = await httpRequest(server.socketPath, { method: 'DELETE', path: API_PATHS.silence(silence.id) })
    assert.equal(expired.status, 200, expired.text)
    assert.equal((JSON.parse(expired.text) as SilenceView).status, 'expired')
    const again = await httpRequest(server.socketPath, { method: 'DELETE', path: API_PATHS.silence(silence.id) })
    assert.equal(again.status, 404)
    assert.equal(errorOf(again.text).code, 'SILENCE_NOT_FOUND')
    const wrongMethod = await httpRequest(server.socketPath, { method: 'PUT', path: API_PATHS.silences })
    assert.equal(wrongMethod.status, 405)
  })

  test('on the read socket, listing silences is served; adding, expiring and force-leave answer 403 ADMIN_SOCKET_REQUIRED', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'))
    assert.equal((await httpRequest(server.socketPath, { path: API_PATHS.silences })).status, 200)
    for (const [method, path] of [['POST', API_PATHS.silences], ['DELETE', API_PATHS.silence('s1')], ['POST', API_PATHS.forceLeave('node-d')]] as const) {
      const answer = await httpRequest(server.socketPath, { method, path, body: '{}' })
      assert.equal(answer.status, 403, `${method} ${path}`)
      assert.equal(errorOf(answer.text).code, 'ADMIN_SOCKET_REQUIRED')
    }
  })
})

describe('GET /v1/health', () => {
  const healthyView: ClusterView = { ...VIEW, peers: VIEW.peers.filter((p) => p.state === 'alive' || p.state === 'left') }

  test('200 healthy, 429 degraded (a peer suspect, dead or missing, or the node degraded), 503 unhealthy', T, async () => {
    await using tmp = await tempDir()
    const cases: [ClusterView, number, HealthReport['status']][] = [
      [healthyView, 200, 'healthy'],
      [VIEW, 429, 'degraded'],
      [{ ...healthyView, self: { ...VIEW.self, status: 'degraded', awareness: 2 } }, 429, 'degraded'],
      [{ ...VIEW, self: { ...VIEW.self, status: 'unhealthy', awareness: 5 } }, 503, 'unhealthy']
    ]
    for (const [view, status, word] of cases) {
      await using server = await serve(join(tmp.dir, `${word}-${status}.sock`), { backend: fixtureBackend(view) })
      const answer = await httpRequest(server.socketPath, { path: API_PATHS.health })
      assert.equal(answer.status, status, word)
      assert.equal(answer.headers['content-type'], 'application/json')
      const report = JSON.parse(answer.text) as HealthReport
      assert.equal(report.status, word)
      assert.deepEqual(await new ApiClient(server.socketPath).get<HealthReport>(API_PATHS.health, { acceptStatuses: [429, 503] }), report)
      const text = await httpRequest(server.socketPath, { path: `${API_PATHS.health}?format=text` })
      assert.equal(text.status, status)
      assert.match(String(text.headers['content-type']), /^text\/plain/)
      assert.equal(text.text.split('\n').length, 2, 'one line')
      assert.ok(text.text.startsWith(`${word}: `), text.text)
    }
  })

  test('the report counts peers by state and lists the problems worst first', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'))
    const report = await new ApiClient(server.socketPath).get<HealthReport>(API_PATHS.health, { acceptStatuses: [429] })
    assert.deepEqual(report.peers, { total: 5, alive: 1, suspect: 1, dead: 1, left: 1, missing: 1 })
    assert.deepEqual(report.problems.map((p) => [p.name, p.state]), [['node-d', 'dead'], ['rack 1/db?', 'missing'], ['node-c', 'suspect']])
    assert.equal(report.summary, '1 of 4 peers alive; node-d dead, rack 1/db? missing, node-c suspect')
    assert.deepEqual(report.node, { id: VIEW.self.id, name: 'node-a', status: 'healthy', awareness: 0, awarenessUnhealthyAt: 4, awarenessMax: 8, reasons: [] })
  })
})

describe('GET /v1/events', () => {
  test('reads incrementally with after and limit; firstId shows what the log no longer holds', T, async () => {
    await using tmp = await tempDir()
    const backend = fixtureBackend(VIEW, 4)
    await using server = await serve(join(tmp.dir, 's.sock'), { backend })
    const client = new ApiClient(server.socketPath)
    const first = await client.get<EventsResponse>(API_PATHS.events)
    assert.deepEqual(first.events.map((e) => [e.id, e.type]), [[1, 'peer:joined'], [2, 'peer:suspected'], [3, 'alert:raised']])
    assert.equal(first.events[1]!.at, new Date(EVENTS_AT_MS + 1000).toISOString())
    assert.equal((first.events[1]!.data as { to: string }).to, 'suspect')
    assert.deepEqual([first.firstId, first.lastId], [1, 3])
    const paged = await client.get<EventsResponse>(`${API_PATHS.events}?after=1&limit=1`)
    assert.deepEqual(paged.events.map((e) => e.id), [2])
    assert.deepEqual((await client.get<EventsResponse>(`${API_PATHS.events}?after=3`)).events, [])
    // The ring holds 4: after two more, event 1 is gone and a reader at 0 can tell.
    const c = VIEW.peers[1]!
    backend.eventLog.append('peer:dead', EVENTS_AT_MS + 2000, peerEvent(c, 'suspect', 'dead', EVENTS_AT_MS + 2000))
    backend.eventLog.append('peer:recovered', EVENTS_AT_MS + 3000, peerEvent(c, 'dead', 'alive', EVENTS_AT_MS + 3000))
    const wrapped = await client.get<EventsResponse>(`${API_PATHS.events}?after=0`)
    assert.deepEqual([wrapped.firstId, wrapped.lastId], [2, 5])
    assert.deepEqual(wrapped.events.map((e) => e.id), [2, 3, 4, 5])
  })
})

/** Reads NDJSON lines from GET /v1/events/stream until `stop` says so; returns them and how it ended. */
function readStream(socketPath: string, path: string, options: { until?: (lines: StreamLine[]) => boolean } = {}): { lines: StreamLine[]; done: Promise<'ended' | 'stopped'>; status: Promise<number> } {
  const lines: StreamLine[] = []
  let resolveStatus: (status: number) => void = () => undefined
  const status = new Promise<number>((resolve) => { resolveStatus = resolve })
  const done = new Promise<'ended' | 'stopped'>((resolve, reject) => {
    const req = request({ socketPath, path, agent: false }, (res) => {
      resolveStatus(res.statusCode ?? 0)
      let pending = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        pending += chunk
        const parts = pending.split('\n')
        pending = parts.pop()!
        for (const part of parts) if (part !== '') lines.push(JSON.parse(part) as StreamLine)
        if (options.until?.(lines) === true) {
          req.destroy()
          resolve('stopped')
        }
      })
      res.on('end', () => resolve('ended'))
      res.on('error', () => resolve('stopped'))
    })
    req.on('error', reject)
    req.end()
  })
  return { lines, done, status }
}

describe('GET /v1/events/stream', () => {
  test('replays after an id, then delivers new events in order as NDJSON', T, async () => {
    await using tmp = await tempDir()
    const backend = fixtureBackend()
    await using server = await serve(join(tmp.dir, 's.sock'), { backend })
    const stream = readStream(server.socketPath, `${API_PATHS.eventStream}?after=1`, { until: (lines) => lines.length >= 12 })
    assert.equal(await stream.status, 200)
    await until(() => stream.lines.length >= 2)
    const c = VIEW.peers[1]!
    for (let i = 0; i < 10; i++) backend.eventLog.append('peer:suspected', EVENTS_AT_MS + i, peerEvent(c, 'alive', 'suspect', EVENTS_AT_MS + i))
    assert.equal(await stream.done, 'stopped')
    assert.deepEqual(stream.lines.map((l) => ('id' in l ? l.id : l.type)), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])
    const line = stream.lines[0]!
    assert.ok('id' in line)
    assert.deepEqual(Object.keys(line), ['id', 'type', 'at', 'data'])
    await until(() => server.stats().streamsActive === 0)
    assert.equal(server.stats().streamsTotal, 1)
  })

  test('without after, only new events; after beyond the newest id (an agent restart) starts from now', T, async () => {
    await using tmp = await tempDir()
    const backend = fixtureBackend()
    await using server = await serve(join(tmp.dir, 's.sock'), { backend })
    const fresh = readStream(server.socketPath, API_PATHS.eventStream, { until: (lines) => lines.length >= 1 })
    const ahead = readStream(server.socketPath, `${API_PATHS.eventStream}?after=500`, { until: (lines) => lines.length >= 1 })
    await Promise.all([fresh.status, ahead.status])
    await until(() => server.stats().streamsActive === 2)
    const c = VIEW.peers[1]!
    backend.eventLog.append('peer:dead', EVENTS_AT_MS, peerEvent(c, 'suspect', 'dead', EVENTS_AT_MS))
    await Promise.all([fresh.done, ahead.done])
    assert.deepEqual(fresh.lines.map((l) => 'id' in l && l.id), [4])
    assert.deepEqual(ahead.lines.map((l) => 'id' in l && l.id), [4])
  })

  test('an idle stream gets heartbeat lines', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'), { streamHeartbeatMs: 50 })
    const stream = readStream(server.socketPath, API_PATHS.eventStream, { until: (lines) => lines.length >= 2 })
    await stream.done
    for (const line of stream.lines) {
      assert.equal(line.type, 'heartbeat')
      assert.ok(line.type === 'heartbeat' && line.lastId === 3 && !Number.isNaN(Date.parse(line.at)))
    }
  })

  test('streams are limited (429 beyond streamsMax); HEAD answers the headers only', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'), { streamsMax: 1 })
    const first = readStream(server.socketPath, API_PATHS.eventStream)
    assert.equal(await first.status, 200)
    const second = await httpRequest(server.socketPath, { path: API_PATHS.eventStream })
    assert.equal(second.status, 429)
    assert.equal(errorOf(second.text).code, 'TOO_MANY_REQUESTS')
    const head = await httpRequest(server.socketPath, { method: 'HEAD', path: API_PATHS.eventStream })
    assert.equal(head.status, 429, 'HEAD counts against the same limit')
    await server.close()
    assert.equal(await first.done, 'ended')
    await using other = await serve(join(tmp.dir, 't.sock'))
    const ok = await httpRequest(other.socketPath, { method: 'HEAD', path: API_PATHS.eventStream })
    assert.equal(ok.status, 200)
    assert.match(String(ok.headers['content-type']), /^application\/x-ndjson/)
  })

  test('a client that stops reading is cut with a final SLOW_CONSUMER line and counted; others are unaffected', T, async () => {
    await using tmp = await tempDir()
    const backend = fixtureBackend(VIEW, 100_000)
    await using server = await serve(join(tmp.dir, 's.sock'), { backend, streamBufferBytesMax: 64 * 1024 })
    // A raw connection that sends the request and then never reads.
    const stuck = await rawConnect(server.socketPath)
    stuck.pause()
    stuck.write(`GET ${API_PATHS.eventStream} HTTP/1.1\r\nhost: x\r\n\r\n`)
    await until(() => server.stats().streamsActive === 1)
    const reader = readStream(server.socketPath, API_PATHS.eventStream)
    await reader.status
    await until(() => server.stats().streamsActive === 2)
    const c = { ...VIEW.peers[1]!, name: 'x'.repeat(200) }
    // ~300 bytes each: far more than the kernel's socket buffers and the 64 KiB limit together.
    for (let i = 0; i < 20_000 && server.stats().streamsDropped === 0; i++) {
      backend.eventLog.append('peer:suspected', EVENTS_AT_MS + i, peerEvent(c, 'alive', 'suspect', EVENTS_AT_MS + i))
      if (i % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 1))
    }
    await until(() => server.stats().streamsDropped === 1)
    await until(() => server.stats().streamsActive === 1)
    // The reading client got everything, in order, and is still connected.
    await until(() => reader.lines.length === backend.eventLog.lastId - 3)
    assert.ok(reader.lines.every((l, i) => 'id' in l && l.id === i + 4))
    // The stuck client, once it reads, finds the final error line after its events (or the
    // connection was destroyed first: either way it is gone and the agent's memory is free).
    stuck.resume()
    const tail = await new Promise<string>((resolve) => {
      let text = ''
      stuck.setEncoding('utf8')
      stuck.on('data', (chunk: string) => { text = (text + chunk).slice(-4096) })
      stuck.on('close', () => resolve(text))
      stuck.on('error', () => undefined)
    })
    if (tail.includes('"type":"error"')) assert.match(tail, /"code":"SLOW_CONSUMER"/)
    assert.deepEqual(await new ApiClient(server.socketPath).get(API_PATHS.self), VIEW.self)
  })

  test('closing the server ends every stream with a final UNAVAILABLE line', T, async () => {
    await using tmp = await tempDir()
    const server = await serve(join(tmp.dir, 's.sock'))
    const client = new ApiClient(server.socketPath)
    const lines: StreamLine[] = []
    const following = client.stream(`${API_PATHS.eventStream}?after=0`, (line) => lines.push(line))
    await until(() => lines.length === 3)
    await server.close()
    await following
    assert.deepEqual(lines.map((l) => l.type), ['peer:joined', 'peer:suspected', 'alert:raised', 'error'])
    const last = lines.at(-1)!
    assert.ok(last.type === 'error' && last.error.code === 'UNAVAILABLE')
  })
})

describe('GET /metrics and the view cache', () => {
  test('/metrics answers the backend text with its content type', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'))
    const answer = await httpRequest(server.socketPath, { path: API_PATHS.metrics })
    assert.equal(answer.status, 200)
    assert.equal(answer.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8')
    assert.equal(answer.text, METRICS_TEXT)
    assert.equal(server.stats().requests.metrics['2xx'], 1)
  })

  test('the serialized view is reused within viewCacheMs, and never across a new event', T, async () => {
    await using tmp = await tempDir()
    let builds = 0
    const backend: FixtureBackend = fixtureBackend()
    const view = backend.view
    backend.view = () => { builds += 1; return { ...view(), generatedAt: `build ${builds}` } }
    await using server = await serve(join(tmp.dir, 's.sock'), { backend, viewCacheMs: 60_000 })
    const client = new ApiClient(server.socketPath)
    assert.equal((await client.get<ClusterView>(API_PATHS.view)).generatedAt, 'build 1')
    assert.equal((await client.get<ClusterView>(API_PATHS.view)).generatedAt, 'build 1')
    assert.equal(server.stats().viewCacheHits, 1)
    backend.eventLog.append('peer:dead', EVENTS_AT_MS, peerEvent(VIEW.peers[1]!, 'suspect', 'dead', EVENTS_AT_MS))
    assert.equal((await client.get<ClusterView>(API_PATHS.view)).generatedAt, 'build 2')
    await using uncached = await serve(join(tmp.dir, 'u.sock'), { backend, viewCacheMs: 0 })
    const other = new ApiClient(uncached.socketPath)
    await other.get(API_PATHS.view)
    await other.get(API_PATHS.view)
    assert.equal(builds, 4)
    assert.equal(uncached.stats().viewCacheHits, 0)
  })
})
