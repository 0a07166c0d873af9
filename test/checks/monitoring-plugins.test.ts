/**
 * Debian's Monitoring Plugins (package monitoring-plugins-basic, /usr/lib/nagios/plugins/), run
 * unchanged by the exec runner and the scheduler: check_disk, check_load, check_procs, and
 * check_tcp / check_http against our own listener and HTTP server on 127.0.0.1. Each test skips,
 * saying so, when its plugin is not installed (.ci/run installs the package).
 */
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { resolveCheck } from '../../src/checks/check-config.ts'
import { startExec, type ExecOutcome } from '../../src/checks/exec-runner.ts'
import { CheckScheduler } from '../../src/checks/scheduler.ts'
import type { CheckStatus } from '../../src/health/types.ts'
import { systemClock } from '../../src/runtime/clock.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { closedPort, startTcpListener, type TcpListener } from './net-helpers.ts'
import { waitFor } from './proc-helpers.ts'

const PLUGINS = '/usr/lib/nagios/plugins'
const T = { timeout: 30_000 }

function plugin(name: string): { path: string; skip: string | false } {
  const path = `${PLUGINS}/${name}`
  return { path, skip: existsSync(path) ? false : `${path} is not installed (apt-get install monitoring-plugins-basic)` }
}

function run(argv: string[]): Promise<ExecOutcome> {
  return startExec({ argv, timeoutMs: 20_000, outputBytesMax: 4096, clock: systemClock() }).done
}

/** The status word a plugin prints ("DISK OK", "LOAD WARNING"...) as our status. */
function statusWord(summary: string): CheckStatus | undefined {
  const word = /\b(OK|WARNING|CRITICAL|UNKNOWN)\b/.exec(summary)?.[1]
  return word === undefined ? undefined : ({ OK: 'passing', WARNING: 'warning', CRITICAL: 'critical', UNKNOWN: 'unknown' } as const)[word as 'OK']
}

const disk = plugin('check_disk')
const load = plugin('check_load')
const procs = plugin('check_procs')
const tcp = plugin('check_tcp')
const http = plugin('check_http')

describe('real Monitoring Plugins, unchanged', () => {
  let listener: TcpListener
  let server: Server
  let port: number
  before(async () => {
    listener = await startTcpListener()
    server = createServer((req, res) => {
      res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' })
      res.end(req.url === '/healthz' ? 'status: ok\n' : 'no\n')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    port = (server.address() as AddressInfo).port
  })
  after(async () => {
    await listener.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })

  test('check_disk on /: the exit code agrees with its status word; the mount is a bytes sample', { ...T, skip: disk.skip }, async () => {
    const outcome = await run([disk.path, '-w', '10%', '-c', '5%', '-p', '/'])
    assert.match(outcome.result.output, /^DISK (OK|WARNING|CRITICAL)/)
    assert.equal(outcome.result.status, statusWord(outcome.result.output))
    const root = outcome.perfdata.find((p) => p.label === '/')
    assert.equal(root?.unit, 'bytes')
    assert.ok(root!.max! > 0 && root!.value >= 0 && root!.value <= root!.max!)
    assert.deepEqual(outcome.rejected, { syntax: 0, label: 0, value: 0, unit: 0, threshold: 0, 'too-many': 0 })
  })

  test('check_load with thresholds no machine reaches is passing, with three load samples', { ...T, skip: load.skip }, async () => {
    const outcome = await run([load.path, '-w', '1000,1000,1000', '-c', '2000,2000,2000'])
    assert.equal(outcome.result.status, 'passing')
    assert.match(outcome.result.output, /^LOAD OK - total load average: /)
    assert.deepEqual(outcome.perfdata.map((p) => [p.label, p.unit]), [['load1', 'none'], ['load5', 'none'], ['load15', 'none']])
  })

  test('check_procs: passing under huge thresholds, critical when a named process is missing', { ...T, skip: procs.skip }, async () => {
    const all = await run([procs.path, '-w', '100000', '-c', '200000'])
    assert.equal(all.result.status, 'passing')
    assert.ok(all.perfdata.find((p) => p.label === 'procs')!.value > 0)
    const missing = await run([procs.path, '-c', '1:1', '-C', 'no-such-process-hm'])
    assert.equal(missing.result.status, 'critical')
    assert.equal(missing.perfdata.find((p) => p.label === 'procs')?.value, 0)
  })

  test('check_tcp against our listener is passing with a time in seconds; a closed port is critical', { ...T, skip: tcp.skip }, async () => {
    const open = await run([tcp.path, '-H', '127.0.0.1', '-p', String(listener.port)])
    assert.equal(open.result.status, 'passing', open.result.output)
    assert.match(open.result.output, new RegExp(`^TCP OK - .* port ${listener.port}$`))
    const time = open.perfdata.find((p) => p.label === 'time')
    assert.equal(time?.unit, 'seconds')
    assert.ok(time!.value >= 0 && time!.value < 10)
    const closed = await run([tcp.path, '-H', '127.0.0.1', '-p', String(await closedPort())])
    assert.equal(closed.result.status, 'critical')
    assert.match(closed.result.output, /Connection refused/)
  })

  test('check_http against our server: 200 passing, 404 warning, a missing string critical', { ...T, skip: http.skip }, async () => {
    const ok = await run([http.path, '-H', '127.0.0.1', '-p', String(port), '-u', '/healthz'])
    assert.equal(ok.result.status, 'passing', ok.result.output)
    assert.deepEqual(ok.perfdata.map((p) => [p.label, p.unit]), [['time', 'seconds'], ['size', 'bytes']])
    const missing = await run([http.path, '-H', '127.0.0.1', '-p', String(port), '-u', '/nope'])
    assert.equal(missing.result.status, 'warning', missing.result.output)
    const string = await run([http.path, '-H', '127.0.0.1', '-p', String(port), '-u', '/healthz', '-s', 'status: degraded'])
    assert.equal(string.result.status, 'critical', string.result.output)
  })

  test("the issue's disk-root check, run by the scheduler, reports check_disk's result", { ...T, skip: disk.skip }, async () => {
    const clock = new VirtualClock()
    const scheduler = new CheckScheduler({
      checks: [resolveCheck({ id: 'disk-root', exec: [disk.path, '-w', '10%', '-c', '5%', '-p', '/'], intervalMs: 30_000, timeoutMs: 10_000 })],
      clock, random: seededRandom(3), logger: silentLogger(), runsConcurrentMax: 4, outputBytesMax: 4096, httpBodyBytesMax: 65_536
    })
    const samples: string[] = []
    scheduler.onSamples((batch) => samples.push(...batch.map((s) => `${s.name}{${s.labels['label']}}`)))
    scheduler.start()
    clock.advance(30_000)
    await waitFor(() => scheduler.detail('disk-root')!.runs === 1, 'check_disk ran', 20_000)
    const detail = scheduler.detail('disk-root')!
    assert.equal(detail.status, statusWord(detail.output))
    assert.deepEqual(samples, ['healthmon_check_perfdata_bytes{/}'])
    await scheduler.stop()
  })
})
