/**
 * `healthmon checks` and `healthmon check-in` as child processes against a real API server on
 * a unix socket, backed by a real CheckScheduler.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { ChecksResponse } from '../../src/api/protocol.ts'
import { startApiServer, type ApiServer } from '../../src/api/socket-listener.ts'
import type { CheckScheduler } from '../../src/checks/scheduler.ts'
import { renderChecks } from '../../src/cli/commands/checks.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { fixtureBackend, httpRequest, tempDir } from '../api/fixtures.ts'
import { ttlScheduler } from '../checks/fixture-scheduler.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const MAIN = join(ROOT, 'src', 'cli', 'main.ts')
const T = { timeout: 20_000 }

/** Runs the CLI; a child still running after 15 s is killed (SIGKILL, by pid). */
function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env = { ...process.env }
  for (const key of Object.keys(env)) if (key.startsWith('HEALTHMON_') || key === 'NO_COLOR' || key === 'FORCE_COLOR') delete env[key]
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: ROOT, env, timeout: 15_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr })
    })
  })
}

describe('healthmon checks and check-in against an agent API', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let server: ApiServer
  let admin: ApiServer
  let scheduler: CheckScheduler
  let socket: string

  before(async () => {
    tmp = await tempDir()
    scheduler = ttlScheduler()
    const backend = { ...fixtureBackend(), checks: scheduler }
    server = await startApiServer({ socketPath: join(tmp.dir, 'agent.sock'), backend, logger: silentLogger() })
    // Where check-in finds it from --socket alone: agent.sock -> agent.admin.sock.
    admin = await startApiServer({ socketPath: join(tmp.dir, 'agent.admin.sock'), access: 'admin', backend, logger: silentLogger() })
    socket = server.socketPath
  })
  after(async () => {
    await Promise.all([server.close(), admin.close(), scheduler.stop()])
    await tmp[Symbol.asyncDispose]()
  })

  test('check-in records the status and note, and prints the check', T, async () => {
    const run = await cli(['check-in', 'batch', '--status', 'warn', '--note', 'queue at 80 %', '--socket', socket])
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.stdout, 'batch: warning - queue at 80 %\n')
    assert.equal(scheduler.report('batch')?.status, 'warning')
    const json = await cli(['check-in', 'batch', '--status', 'pass', '--socket', socket, '--json'])
    assert.equal(json.code, 0, json.stderr)
    assert.equal(JSON.parse(json.stdout).status, 'passing')
  })

  test('checks prints a table; --json is exactly GET /v1/checks but for the time', T, async () => {
    const table = await cli(['checks', '--socket', socket])
    assert.equal(table.code, 0, table.stderr)
    const [header, ...rows] = table.stdout.trimEnd().split('\n')
    assert.match(header!, /^ID\s+KIND\s+STATUS\s+FLAPPING\s+SINCE\s+OUTPUT$/)
    assert.match(rows[0]!, /^batch\s+ttl\s+passing\s+-\s+\S+\s+check-in: pass$/)
    assert.match(rows[1]!, /^port\s+tcp\s+unknown\s+-\s+\S+\s+not run yet$/)
    const json = await cli(['checks', '--socket', socket, '--json'])
    const direct = JSON.parse((await httpRequest(socket, { path: '/v1/checks' })).text) as ChecksResponse
    assert.deepEqual((JSON.parse(json.stdout) as ChecksResponse).checks, direct.checks)
  })

  const usage: [string, string[]][] = [
    ['no --status', ['check-in', 'batch']],
    ['a bad --status', ['check-in', 'batch', '--status', 'ok']],
    ['no id', ['check-in', '--status', 'pass']]
  ]
  for (const [what, args] of usage) {
    test(`check-in with ${what} is a usage error (exit 2)`, T, async () => {
      const run = await cli([...args, '--socket', socket])
      assert.equal(run.code, 2, run.stderr)
      assert.notEqual(run.stderr, '')
    })
  }

  test('check-in for an unknown or non-TTL check fails with the agent\'s code (exit 1)', T, async () => {
    const unknown = await cli(['check-in', 'nope', '--status', 'pass', '--socket', socket])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /no check with id "nope" is configured \(CHECK_NOT_FOUND\)/)
    const tcp = await cli(['check-in', 'port', '--status', 'pass', '--socket', socket])
    assert.equal(tcp.code, 1)
    assert.match(tcp.stderr, /CHECK_NOT_TTL/)
  })

  test('check-in goes to the admin socket: --admin-socket names it, a read socket there answers 403', T, async () => {
    const explicit = await cli(['check-in', 'batch', '--status', 'pass', '--admin-socket', admin.socketPath, '--socket', join(tmp.dir, 'none.sock')])
    assert.equal(explicit.code, 0, explicit.stderr)
    const wrong = await cli(['check-in', 'batch', '--status', 'pass', '--admin-socket', socket])
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /ADMIN_SOCKET_REQUIRED/)
    const none = await cli(['check-in', 'batch', '--status', 'pass', '--admin-socket', join(tmp.dir, 'none.admin.sock')])
    assert.equal(none.code, 1)
    assert.match(none.stderr, /none\.admin\.sock/)
  })

  test('no agent: exit 1 naming the socket', T, async () => {
    const run = await cli(['checks', '--socket', join(tmp.dir, 'none.sock')])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /none\.sock/)
  })

  test('renderChecks: an empty list says how to add checks; long outputs are cut', () => {
    assert.match(renderChecks({ checks: [], generatedAt: new Date(0).toISOString() }, false), /no checks configured/)
    const long = scheduler.details()[0]!
    const text = renderChecks({ checks: [{ ...long, output: 'y'.repeat(500) }], generatedAt: long.since }, false)
    assert.ok(text.includes(`${'y'.repeat(119)}…`))
  })
})
