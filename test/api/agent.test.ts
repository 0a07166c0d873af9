/**
 * The socket API of real agents: three Daemons (real libp2p on 127.0.0.1, real unix sockets) in
 * this process, with short heartbeats so that a stopped agent is suspect and dead within a
 * couple of seconds; plus real `healthmon agent` child processes for the socket-file rules.
 * Every endpoint, the event stream's order across a real failure, error handling that leaves
 * other clients unaffected, a stale socket replaced, a second agent refused.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { lstat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { ApiClient } from '../../src/api/client.ts'
import { API_PATHS, type AlertsResponse, type ClusterView, type EventsResponse, type HealthReport, type PeerDetail, type SelfView, type StreamLine } from '../../src/api/protocol.ts'
import { loadConfig } from '../../src/config/load.ts'
import type { ConfigInput } from '../../src/config/schema.ts'
import { Daemon } from '../../src/daemon.ts'
import { httpRequest, rawConnect, readUntilClose, tempDir, until } from './fixtures.ts'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))

/** Quick detection: suspect ~0.5 s after the last heartbeat, dead soon after a refused probe. */
const FAST: ConfigInput = {
  profile: 'local-test',
  heartbeatIntervalMs: 200,
  detectorMinStdDevMs: 50,
  suspicionTimeoutMs: 1000,
  suspicionTimeoutMsMin: 200,
  probeTimeoutMs: 300,
  logLevel: 'silent'
}

function daemonFor(dir: string, name: string, joinAddrs: string[], socket = join(dir, `${name}.sock`), extra: ConfigInput = {}): Daemon {
  const config = loadConfig({ flags: { ...FAST, name, cluster: 'apitest', dataDir: join(dir, name), socket, join: joinAddrs, ...extra }, env: {} })
  // Short stream heartbeats so that an idle stream shows them within the test.
  return new Daemon({ config, apiLimits: { streamHeartbeatMs: 300, headersTimeoutMs: 300, requestTimeoutMs: 600 } })
}

async function viewOf(socket: string): Promise<ClusterView> {
  return new ApiClient(socket).get<ClusterView>(API_PATHS.view)
}

async function waitFor<T>(read: () => Promise<T>, predicate: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let last: T | undefined
  while (performance.now() < deadline) {
    last = await read().catch(() => undefined)
    if (last !== undefined && predicate(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)?.slice(0, 500)}`)
}

interface Family {
  name: string
  help: string
  type: string
  metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[]
}

describe('three real agents', { timeout: 120_000 }, () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let a: Daemon
  let b: Daemon
  let c: Daemon
  let socket: string
  let cId: string

  before(async () => {
    tmp = await tempDir()
    a = daemonFor(tmp.dir, 'a', [])
    await a.start()
    const addr = a.node.selfView().addrs[0]!
    b = daemonFor(tmp.dir, 'b', [addr])
    c = daemonFor(tmp.dir, 'c', [addr])
    await Promise.all([b.start(), c.start()])
    socket = a.config.socket
    cId = c.node.id
    // Converged: each peer alive and observed first-hand, with heartbeats heard.
    await waitFor(() => viewOf(socket), (v) => v.peers.length === 2 && v.peers.every((p) => p.state === 'alive' && p.observedBySelf && p.lastHeardMs !== null))
  })

  after(async () => {
    await Promise.allSettled([a, b, c].map((d) => d.stop({ leave: false })))
    await tmp[Symbol.asyncDispose]()
  })

  test('GET /v1/view, /v1/self, /v1/peers/{name|id}, /v1/health, /v1/alerts, /v1/events, /metrics', async () => {
    const client = new ApiClient(socket)
    const view = await client.get<ClusterView>(API_PATHS.view)
    assert.equal(view.self.name, 'a')
    assert.deepEqual(view.peers.map((p) => p.name).sort(), ['b', 'c'])
    for (const p of view.peers) {
      assert.equal(p.state, 'alive')
      assert.ok(p.observedBySelf && typeof p.phi === 'number' && typeof p.lastHeardMs === 'number', JSON.stringify(p))
      assert.ok(p.observers.total >= 1)
    }
    const self = await client.get<SelfView>(API_PATHS.self)
    assert.equal(self.id, a.node.id)
    assert.equal(self.cluster, 'apitest')
    const byName = await client.get<PeerDetail>(API_PATHS.peer('c'))
    assert.equal(byName.id, cId)
    assert.deepEqual(byName.history.map((h) => h.to), ['alive'])
    assert.equal((await client.get<PeerDetail>(API_PATHS.peer(cId))).name, 'c')
    // Three agents in one process on a loaded machine: event-loop lag may raise a node's
    // Lifeguard awareness for a moment (degraded, 429, rightly). It falls back within seconds.
    const health = await waitFor(() => httpRequest(socket, { path: API_PATHS.health }), (h) => h.status === 200)
    assert.equal((JSON.parse(health.text) as HealthReport).status, 'healthy')
    const text = await waitFor(() => httpRequest(socket, { path: `${API_PATHS.health}?format=text` }), (h) => h.status === 200)
    assert.equal(text.text, 'healthy: 2 of 2 peers alive\n')
    assert.deepEqual(await client.get<AlertsResponse>(API_PATHS.alerts), { alerts: [], matched: 0 })
    const events = await client.get<EventsResponse>(API_PATHS.events)
    assert.deepEqual(events.events.map((e) => e.type), ['peer:joined', 'peer:joined'])
    assert.equal(events.lastId, 2)
    const metrics = await httpRequest(socket, { path: API_PATHS.metrics })
    assert.equal(metrics.status, 200)
    assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/)
    const families = parsePrometheusTextFormat(metrics.text) as Family[]
    const peers = families.find((f) => f.name === 'healthmon_peers')!
    assert.equal(peers.metrics.find((m) => m.labels?.['state'] === 'alive')?.value, '2')
  })

  test('errors: malformed, unknown path, wrong method, oversize body, a silent client; other clients unaffected', async () => {
    const lines: StreamLine[] = []
    const client = new ApiClient(socket)
    const controller = new AbortController()
    const following = client.stream(API_PATHS.eventStream, (line) => lines.push(line), { signal: controller.signal })
    const silent = await rawConnect(socket)
    const silentAnswer = readUntilClose(silent)
    const garbage = await rawConnect(socket)
    const garbageAnswer = readUntilClose(garbage)
    garbage.write('\x16\x03\x01 not http at all\r\n\r\n')
    const checks: [Promise<{ status: number; text: string }>, number, string][] = [
      [httpRequest(socket, { path: '/v1/nope' }), 404, 'NOT_FOUND'],
      [httpRequest(socket, { path: '/v1/view', method: 'DELETE' }), 405, 'METHOD_NOT_ALLOWED'],
      [httpRequest(socket, { path: '/v1/alerts?severity=loud' }), 400, 'BAD_REQUEST'],
      [httpRequest(socket, { path: '/v1/view', method: 'POST', body: 'x'.repeat(70 * 1024) }), 413, 'PAYLOAD_TOO_LARGE'],
      [httpRequest(socket, { path: '/v1/peers/nobody' }), 404, 'PEER_NOT_FOUND']
    ]
    for (const [answer, status, code] of checks) {
      const { status: got, text } = await answer
      assert.equal(got, status, text)
      assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, code)
    }
    assert.match(await garbageAnswer, /^HTTP\/1\.1 400 /)
    // The silent client is cut by the header timeout (300 ms here) with a 408...
    assert.match(await silentAnswer, /^HTTP\/1\.1 408 /)
    // ...while everyone else was served, and the stream kept beating.
    assert.equal((await viewOf(socket)).peers.length, 2)
    await until(() => lines.some((l) => l.type === 'heartbeat'), 5000)
    controller.abort()
    await following
  })

  test('a stopped agent: the stream delivers suspect, dead and alerts in order; health, alerts, peer and metrics follow', async () => {
    const client = new ApiClient(socket)
    const start = (await client.get<EventsResponse>(API_PATHS.events)).lastId
    const lines: StreamLine[] = []
    const controller = new AbortController()
    const following = client.stream(`${API_PATHS.eventStream}?after=${start}`, (line) => lines.push(line), { signal: controller.signal })
    await c.stop({ leave: false })
    await until(() => lines.some((l) => l.type === 'peer:dead'), 15_000)
    controller.abort()
    await following
    const events = lines.filter((l) => 'id' in l)
    assert.deepEqual(events.map((e) => e.id), events.map((_, i) => start + 1 + i), 'consecutive ids, in order')
    const aboutC = events.filter((e) => e.type.startsWith('peer:') && (e.data as { peer: string }).peer === cId).map((e) => e.type)
    assert.deepEqual(aboutC, ['peer:suspected', 'peer:dead'])
    assert.deepEqual(events.filter((e) => e.type === 'alert:raised').map((e) => (e.data as { severity: string }).severity), ['warning', 'critical'])
    // The polled log agrees with the stream.
    const logged = await client.get<EventsResponse>(`${API_PATHS.events}?after=${start}`)
    assert.deepEqual(logged.events.slice(0, events.length), events)

    // The PeerDead alert (critical) fires at the next evaluation once the view has settled,
    // and health derives from it: 503, naming c.
    const dead = await waitFor(() => client.get<AlertsResponse>(`${API_PATHS.alerts}?state=firing&peer=c&matcher=alertname%3DPeerDead`), (r) => r.matched === 1)
    assert.equal(dead.alerts[0]!.severity, 'critical')
    assert.deepEqual(dead.alerts[0]!.subject, { kind: 'peer', id: cId, name: 'c' })
    const health = await waitFor(() => httpRequest(socket, { path: API_PATHS.health }), (h) => h.status === 503)
    const report = JSON.parse(health.text) as HealthReport
    assert.equal(report.status, 'unhealthy')
    assert.deepEqual(report.problems.map((p) => [p.name, p.state]), [['c', 'dead']])
    assert.deepEqual(report.alerts?.map((x) => [x.alertname, x.peer]), [['PeerDead', 'c']])
    const detail = await client.get<PeerDetail>(API_PATHS.peer('c'))
    assert.equal(detail.state, 'dead')
    assert.equal(detail.failureCount, 1)
    assert.deepEqual(detail.history.map((h) => h.to), ['alive', 'suspect', 'dead'])

    const text = (await httpRequest(socket, { path: API_PATHS.metrics })).text
    const families = parsePrometheusTextFormat(text) as Family[]
    // (That parser folds the series of a labelled histogram together, so read these two lines directly.)
    const sample = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1])
    assert.equal(sample('healthmon_detection_latency_seconds_count\\{stage="suspect"\\}'), 1)
    const seconds = sample('healthmon_detection_latency_seconds_sum\\{stage="suspect"\\}')
    assert.ok(seconds > 0.2 && seconds < 5, `detection took ${seconds} s`)
    const peers = families.find((f) => f.name === 'healthmon_peers')!
    assert.equal(peers.metrics.find((m) => m.labels?.['state'] === 'dead')?.value, '1')
    assert.equal(sample('ALERTS\\{alertname="PeerDead",alertstate="firing",severity="critical"\\}'), 1)
    assert.ok(families.some((f) => f.name === 'healthmon_alert_deliveries_total'))
  })
})

describe('one agent, three listeners', { timeout: 30_000 }, () => {
  test('the read socket, the admin socket and the HTTP listener answer GET /v1/view from one build', async () => {
    await using tmp = await tempDir()
    const config = loadConfig({ flags: { ...FAST, name: 'solo', cluster: 'apitest', dataDir: join(tmp.dir, 'solo'), socket: join(tmp.dir, 'solo.sock'), httpListen: '127.0.0.1:0' }, env: {} })
    // An age no test run reaches: only an event may end the body's life, and a lone agent logs none.
    const daemon = new Daemon({ config, apiLimits: { viewCacheMs: 600_000 } })
    await daemon.start()
    try {
      const lastId = daemon.node.eventLog.lastId
      const http = daemon.httpListener!
      const answers = [
        await httpRequest(config.socket, { path: API_PATHS.view }),
        await httpRequest(config.adminSocket, { path: API_PATHS.view }),
        await httpRequest({ host: http.host, port: http.port }, { path: API_PATHS.view })
      ]
      assert.equal(daemon.node.eventLog.lastId, lastId, 'an event was logged between the requests')
      assert.deepEqual(answers.map((a) => a.status), [200, 200, 200])
      assert.equal(new Set(answers.map((a) => a.headers['etag'])).size, 1)
      assert.equal(new Set(answers.map((a) => a.text)).size, 1)
      assert.equal(daemon.apiStats()!.viewCacheHits + http.stats().viewCacheHits, 2)
    } finally {
      await daemon.stop()
    }
  })
})

describe('agent processes and the socket file', { timeout: 60_000 }, () => {
  /** Runs `healthmon agent` as a child; resolves its exit code and stderr, or kill() it. */
  function agentProcess(dir: string, name: string, socket: string) {
    const child = spawn(process.execPath, [MAIN, 'agent', '--profile', 'local-test', '--cluster', 'apitest', '--name', name, '--data-dir', join(dir, name), '--socket', socket, '--log-level', 'error'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, HEALTHMON_SOCKET: '' }
    })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk: string) => { stderr += chunk })
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.once('exit', (code) => resolve({ code, stderr })))
    return {
      child,
      exited,
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
        await exited
      }
    }
  }

  test('a second agent on a live socket exits 1 naming the socket and the running agent', async () => {
    await using tmp = await tempDir()
    const first = daemonFor(tmp.dir, 'first', [])
    await first.start()
    try {
      const second = agentProcess(tmp.dir, 'second', first.config.socket)
      try {
        const { code, stderr } = await second.exited
        assert.equal(code, 1)
        assert.ok(stderr.includes(first.config.socket), stderr)
        assert.ok(stderr.includes('"first"') && stderr.includes(first.node.id), stderr)
        assert.match(stderr, /SOCKET_IN_USE/)
      } finally {
        await second.kill()
      }
      // The first agent is untouched.
      assert.equal((await viewOf(first.config.socket)).self.name, 'first')
    } finally {
      await first.stop({ leave: false })
    }
  })

  test('socketGroup gives the socket (0660) to that group; a malformed group is a config error', async () => {
    await using tmp = await tempDir()
    const gid = process.getgid?.() ?? 0
    const agent = daemonFor(tmp.dir, 'grouped', [], join(tmp.dir, 'run', 'g.sock'), { socketGroup: String(gid) })
    await agent.start()
    try {
      const info = await lstat(agent.config.socket)
      assert.equal(info.gid, gid)
      assert.equal(info.mode & 0o777, 0o660)
      assert.equal((await lstat(join(tmp.dir, 'run'))).mode & 0o777, 0o750)
    } finally {
      await agent.stop({ leave: false })
    }
    assert.throws(() => loadConfig({ flags: { socketGroup: 'not a group' }, env: {} }), { code: 'CONFIG_INVALID', message: /socketGroup/ })
    assert.equal(loadConfig({ env: { HEALTHMON_SOCKET_GROUP: 'healthmon' } }).socketGroup, 'healthmon')
  })

  test('the socket left by a SIGKILLed agent is detected as stale and replaced by the next one', async () => {
    await using tmp = await tempDir()
    const socket = join(tmp.dir, 'shared.sock')
    const crashed = agentProcess(tmp.dir, 'crashed', socket)
    try {
      await waitFor(() => viewOf(socket), (v) => v.self.name === 'crashed', 20_000)
    } finally {
      await crashed.kill()
    }
    assert.ok((await lstat(socket)).isSocket(), 'the killed agent left its socket file')
    await assert.rejects(viewOf(socket), { code: 'AGENT_UNREACHABLE' })
    const next = daemonFor(tmp.dir, 'next', [], socket)
    await next.start()
    try {
      assert.equal((await viewOf(socket)).self.name, 'next')
    } finally {
      await next.stop({ leave: false })
    }
  })
})
