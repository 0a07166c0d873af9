/**
 * GET /v1/metrics/history and `healthmon history` over a real socket, backed by a real
 * HealthRuntime whose history is a real SQLite file: query validation (required name, unknown
 * and malformed parameters, too many points), 404 for an unknown metric, 503 without history,
 * the response's shape, and the CLI's sparkline and --json.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ApiClient } from '../../src/api/client.ts'
import { API_PATHS, withQuery, type HistoryResponse } from '../../src/api/protocol.ts'
import { startApiServer, type ApiServer } from '../../src/api/socket-listener.ts'
import { loadConfig } from '../../src/config/load.ts'
import { HealthRuntime } from '../../src/daemon-health.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { systemClock } from '../../src/runtime/clock.ts'
import { fixtureBackend, httpRequest, tempDir } from './fixtures.ts'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const T = { timeout: 20_000 }

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HEALTHMON_') && k !== 'FORCE_COLOR'))
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { env, timeout: 15_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr })
    })
  })
}

describe('metric history over the socket', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let server: ApiServer
  let bare: ApiServer
  let runtime: HealthRuntime
  const now = Date.now()

  before(async () => {
    tmp = await tempDir()
    const config = loadConfig({ env: {}, flags: { profile: 'local-test', dataDir: join(tmp.dir, 'data'), name: 'n' } })
    runtime = new HealthRuntime({ config, clock: systemClock(), logger: silentLogger() })
    // 50 minutes of 10 s samples ending 5 minutes ago: inside "since 1h" however late a query runs.
    for (let i = 0; i < 300; i++) {
      const atMs = now - 55 * 60_000 + i * 10_000
      runtime.history!.record([
        { name: 'node_load1', labels: {}, value: (i % 60) / 10, unit: 'none', atMs },
        { name: 'node_filesystem_avail_bytes', labels: { mountpoint: '/' }, value: 1e9 - i * 1e6, unit: 'bytes', atMs },
        { name: 'node_filesystem_avail_bytes', labels: { mountpoint: '/data' }, value: 5e9, unit: 'bytes', atMs }
      ])
    }
    const backend = { ...fixtureBackend(), history: (q: Parameters<HealthRuntime['query']>[0]) => runtime.query(q) }
    server = await startApiServer({ socketPath: join(tmp.dir, 'h.sock'), backend, logger: silentLogger() })
    bare = await startApiServer({ socketPath: join(tmp.dir, 'b.sock'), backend: fixtureBackend(), logger: silentLogger() })
  })
  after(async () => {
    await server.close()
    await bare.close()
    runtime.stop()
    await tmp[Symbol.asyncDispose]()
  })

  const errorOf = async (socket: string, path: string) => {
    const a = await httpRequest(socket, { path })
    return { status: a.status, ...(JSON.parse(a.text) as { error: { code: string; message: string } }).error }
  }

  test('bad queries are 400s naming the parameter; an unknown metric 404; no history 503', T, async () => {
    const s = server.socketPath
    const cases: [string, number, string, RegExp][] = [
      ['/v1/metrics/history', 400, 'BAD_REQUEST', /"name" is required/],
      ['/v1/metrics/history?name=node_load1&range=1h', 400, 'BAD_REQUEST', /unknown query parameter "range".*"name", "since", "step"/],
      ['/v1/metrics/history?name=node-load', 400, 'BAD_REQUEST', /"name" must be a metric name/],
      ['/v1/metrics/history?name=node_load1&step=1s', 400, 'BAD_REQUEST', /"step" must be a duration from 10s/],
      ['/v1/metrics/history?name=node_load1&since=30d&step=10s', 400, 'BAD_REQUEST', /more than 10000 points/],
      ['/v1/metrics/history?name=node_load1&since=soon', 400, 'BAD_REQUEST', /"since" must be/],
      ['/v1/metrics/history?name=no_such_metric', 404, 'METRIC_NOT_FOUND', /no history for metric "no_such_metric"/]
    ]
    for (const [path, status, code, message] of cases) {
      const e = await errorOf(s, path)
      assert.deepEqual([e.status, e.code], [status, code], path)
      assert.match(e.message, message, path)
    }
    const none = await errorOf(bare.socketPath, '/v1/metrics/history?name=node_load1')
    assert.deepEqual([none.status, none.code], [503, 'UNAVAILABLE'])
  })

  test('one series per label set, points at the step with min, max, avg, sum and count', T, async () => {
    const client = new ApiClient(server.socketPath)
    const h = await client.get<HistoryResponse>(withQuery(API_PATHS.metricsHistory, { name: 'node_filesystem_avail_bytes', since: '1h', step: '1m' }))
    assert.equal(h.unit, 'bytes')
    assert.equal(h.stepMs, 60_000)
    assert.equal(h.resolutionMs, 60_000)
    assert.deepEqual(h.series.map((s) => s.labels.mountpoint).sort(), ['/', '/data'])
    const data = h.series.find((s) => s.labels.mountpoint === '/data')!
    assert.ok(data.points.length >= 50 && data.points.length <= 51, String(data.points.length))
    for (const p of data.points) assert.deepEqual([p.min, p.max, p.avg], [5e9, 5e9, 5e9])
    const load = await client.get<HistoryResponse>(withQuery(API_PATHS.metricsHistory, { name: 'node_load1', since: '1h' }))
    assert.equal(load.resolutionMs, 10_000, 'an hour is read from the 10 s tier')
    const total = load.series[0]!.points.reduce((a, p) => a + p.count, 0)
    assert.equal(total, 300, 'every sample of the hour')
  })

  test('healthmon history: a sparkline per series with min, max, avg and last; --json is the API object', T, async () => {
    const text = await cli(['history', 'node_filesystem_avail_bytes', '--since', '1h', '--socket', server.socketPath])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /^node_filesystem_avail_bytes \(bytes\) over 1h0m, step/)
    assert.match(text.stdout, /node_filesystem_avail_bytes\{mountpoint="\/"\}\n {4}[▁▂▃▄▅▆▇█ ]+\n {4}min 701\.0MB {2}max 1\.0GB {2}avg 850\.5MB {2}last 701\.0MB/)
    const json = await cli(['history', 'node_load1', '--json', '--step', '5m', '--socket', server.socketPath])
    assert.equal(json.code, 0, json.stderr)
    const h = JSON.parse(json.stdout) as HistoryResponse
    assert.equal(h.stepMs, 300_000)
    const missing = await cli(['history', 'nope', '--socket', server.socketPath])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /METRIC_NOT_FOUND/)
  })
})
