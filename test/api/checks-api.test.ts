/**
 * GET /v1/checks and POST /v1/checks/{id}/pass|warn|fail over the real unix socket, with a real
 * CheckScheduler (a TTL check and a tcp check) behind the API; and the checks' /metrics series.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Registry } from 'prom-client'
import type { CheckDetail, ChecksResponse } from '../../src/api/protocol.ts'
import { startApiServer, type ApiServer } from '../../src/api/socket-listener.ts'
import type { CheckScheduler } from '../../src/checks/scheduler.ts'
import { registerCheckMetrics } from '../../src/metrics/check-metrics.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { ttlScheduler } from '../checks/fixture-scheduler.ts'
import { fixtureBackend, httpRequest, tempDir } from './fixtures.ts'

const T = { timeout: 20_000 }

describe('the checks endpoints over the socket', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let server: ApiServer
  let bare: ApiServer
  let scheduler: CheckScheduler
  const post = (path: string, body?: string, headers: Record<string, string> = {}) =>
    httpRequest(server.socketPath, { method: 'POST', path, body, headers: { 'content-type': 'application/json', ...headers } })
  const errorOf = (text: string) => (JSON.parse(text) as { error: { code: string; message: string } }).error

  before(async () => {
    tmp = await tempDir()
    scheduler = ttlScheduler()
    // Check-ins are admin routes: these listeners are admin sockets (access.test.ts covers the read socket's 403).
    server = await startApiServer({ socketPath: join(tmp.dir, 'a.sock'), access: 'admin', backend: { ...fixtureBackend(), checks: scheduler }, logger: silentLogger() })
    bare = await startApiServer({ socketPath: join(tmp.dir, 'b.sock'), access: 'admin', backend: fixtureBackend(), logger: silentLogger() })
  })
  after(async () => {
    await Promise.all([server.close(), bare.close(), scheduler.stop()])
    await tmp[Symbol.asyncDispose]()
  })

  test('GET /v1/checks lists every check with its report', T, async () => {
    const answer = await httpRequest(server.socketPath, { path: '/v1/checks' })
    assert.equal(answer.status, 200)
    const body = JSON.parse(answer.text) as ChecksResponse
    assert.deepEqual(body.checks.map((c) => [c.id, c.kind, c.status, c.output, c.target]), [
      ['batch', 'ttl', 'unknown', 'no check-in yet', 'ttl 60000 ms'],
      ['port', 'tcp', 'unknown', 'not run yet', '127.0.0.1:1']
    ])
    assert.equal(typeof body.generatedAt, 'string')
  })

  test('a check-in with a note sets the status and output', T, async () => {
    const answer = await post('/v1/checks/batch/warn', JSON.stringify({ note: 'slow: 120 items queued' }))
    assert.equal(answer.status, 200, answer.text)
    const check = JSON.parse(answer.text) as CheckDetail
    assert.equal(check.status, 'warning')
    assert.equal(check.output, 'slow: 120 items queued')
    assert.equal(scheduler.report('batch')?.status, 'warning')
  })

  test('a check-in without a body, and with an empty object', T, async () => {
    assert.equal((await post('/v1/checks/batch/pass')).status, 200)
    assert.equal(scheduler.report('batch')?.output, 'check-in: pass')
    assert.equal((await post('/v1/checks/batch/fail', '{}')).status, 200)
    assert.equal(scheduler.report('batch')?.status, 'critical')
  })

  const refusals: [string, string, string | undefined, number, string, RegExp][] = [
    ['an unknown check', '/v1/checks/nope/pass', undefined, 404, 'CHECK_NOT_FOUND', /no check with id "nope"/],
    ['a check that is not a TTL check', '/v1/checks/port/pass', undefined, 400, 'CHECK_NOT_TTL', /tcp check; only ttlMs checks/],
    ['a body that is not JSON', '/v1/checks/batch/pass', 'note=hi', 400, 'BAD_REQUEST', /not JSON/],
    ['a JSON array', '/v1/checks/batch/pass', '["hi"]', 400, 'BAD_REQUEST', /JSON object/],
    ['an unknown field', '/v1/checks/batch/pass', '{"note":"x","status":"pass"}', 400, 'BAD_REQUEST', /unknown field "status"/],
    ['a note that is not a string', '/v1/checks/batch/pass', '{"note":5}', 400, 'BAD_REQUEST', /must be a string/],
    ['a note over the output cap', '/v1/checks/batch/pass', JSON.stringify({ note: 'x'.repeat(5000) }), 400, 'BAD_REQUEST', /limited to 4096 bytes/],
    ['an unknown status', '/v1/checks/batch/maybe', undefined, 404, 'NOT_FOUND', /no such path/],
    ['a query parameter', '/v1/checks/batch/pass?force=1', undefined, 400, 'BAD_REQUEST', /force/]
  ]
  for (const [what, path, body, status, code, message] of refusals) {
    test(`refuses ${what}: ${status} ${code}, recording nothing`, T, async () => {
      const before = scheduler.stats().checkIns
      const answer = await post(path, body)
      assert.equal(answer.status, status, answer.text)
      const error = errorOf(answer.text)
      assert.equal(error.code, code)
      assert.match(error.message, message)
      assert.equal(scheduler.stats().checkIns, before)
    })
  }

  test('a body over 64 KiB is a 413', T, async () => {
    const answer = await post('/v1/checks/batch/pass', JSON.stringify({ note: 'x'.repeat(70_000) }))
    assert.equal(answer.status, 413)
    assert.equal(errorOf(answer.text).code, 'PAYLOAD_TOO_LARGE')
  })

  test('wrong methods are 405 with the right Allow header', T, async () => {
    const get = await httpRequest(server.socketPath, { path: '/v1/checks/batch/pass' })
    assert.equal(get.status, 405)
    assert.equal(get.headers['allow'], 'POST')
    const postList = await post('/v1/checks')
    assert.equal(postList.status, 405)
    assert.equal(postList.headers['allow'], 'GET, HEAD')
    const postView = await post('/v1/view')
    assert.equal(postView.status, 405)
  })

  test('without checks configured: an empty list, and 404 for a check-in', T, async () => {
    const list = await httpRequest(bare.socketPath, { path: '/v1/checks' })
    assert.deepEqual((JSON.parse(list.text) as ChecksResponse).checks, [])
    const checkIn = await httpRequest(bare.socketPath, { method: 'POST', path: '/v1/checks/batch/pass' })
    assert.equal(checkIn.status, 404)
    assert.equal(errorOf(checkIn.text).code, 'CHECK_NOT_FOUND')
  })

  test('/metrics series for the checks', async () => {
    const registry = new Registry()
    registerCheckMetrics(registry, scheduler)
    const text = await registry.metrics()
    assert.match(text, /^healthmon_check_status\{check="batch"\} 2$/m)
    assert.match(text, /^healthmon_check_status\{check="port"\} 3$/m)
    assert.match(text, /^healthmon_check_flapping\{check="batch"\} 0$/m)
    assert.match(text, new RegExp(`^healthmon_check_runs_total\\{check="batch"\\} ${scheduler.detail('batch')!.runs}$`, 'm'))
    assert.match(text, /^healthmon_check_timeouts_total\{check="port"\} 0$/m)
    assert.match(text, /^healthmon_check_perfdata_rejected_total\{reason="unit"\} 0$/m)
    assert.match(text, /^healthmon_check_output_truncated_total 0$/m)
    assert.match(text, /^healthmon_check_runs_queued_total 0$/m)
  })
})
