/**
 * The admin socket (issue 11, socket access) over real unix sockets: a write route on the read
 * socket is 403 ADMIN_SOCKET_REQUIRED naming the admin socket and changes nothing; the admin
 * socket serves it; the files' modes are 0660 and 0600; a directory others could write to stops
 * start-up; and another user is refused by the kernel with a message that says who may connect.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { chmod, chown, mkdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { accessDenied } from '../../src/api/access.ts'
import { matchRoute } from '../../src/api/routes.ts'
import { startApiServer, type ApiServer } from '../../src/api/socket-listener.ts'
import { unsafeDirReason } from '../../src/api/socket-dir-safety.ts'
import type { CheckScheduler } from '../../src/checks/scheduler.ts'
import { HealthmonError } from '../../src/errors.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { ttlScheduler } from '../checks/fixture-scheduler.ts'
import { fixtureBackend, httpRequest, tempDir } from './fixtures.ts'

const T = { timeout: 20_000 }
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const MAIN = join(ROOT, 'src', 'cli', 'main.ts')
const errorOf = (text: string) => (JSON.parse(text) as { error: { code: string; message: string } }).error

describe('routes declare their access', () => {
  test('check-ins are admin routes, reads are read routes, and the read listener refuses only the former', () => {
    const checkIn = matchRoute('POST', '/v1/checks/batch/pass')
    assert.equal(checkIn.access, 'admin')
    for (const path of ['/v1/view', '/v1/self', '/v1/health', '/v1/alerts', '/v1/events', '/metrics', '/v1/checks', '/v1/peers/x']) {
      const match = matchRoute('GET', path)
      assert.equal(match.access, 'read', path)
      assert.equal(accessDenied(match, 'read', '/x/admin.sock'), undefined, path)
    }
    assert.equal(accessDenied(checkIn, 'admin', '/x/admin.sock'), undefined)
    const denied = accessDenied(checkIn, 'read', '/x/admin.sock')
    assert.equal(denied?.code, 'ADMIN_SOCKET_REQUIRED')
    assert.match(denied.message, /\/x\/admin\.sock/)
    // A bad query on an admin route is still refused on the read socket before it is parsed.
    assert.equal(accessDenied(matchRoute('POST', '/v1/checks/batch/pass?x=1'), 'read', undefined)?.code, 'ADMIN_SOCKET_REQUIRED')
  })

  test('unsafeDirReason: world-writable without sticky, or another non-root owner', () => {
    assert.match(unsafeDirReason('/d', { uid: 1000, mode: 0o40777 }, 1000) ?? '', /world-writable without the sticky bit \(mode 0777\)/)
    assert.equal(unsafeDirReason('/tmp', { uid: 0, mode: 0o41777 }, 1000), undefined)
    assert.match(unsafeDirReason('/d', { uid: 1001, mode: 0o40750 }, 1000) ?? '', /owned by uid 1001/)
    assert.equal(unsafeDirReason('/d', { uid: 0, mode: 0o40755 }, 1000), undefined)
    assert.equal(unsafeDirReason('/d', { uid: 1000, mode: 0o40770 }, 1000), undefined)
  })
})

describe('the read and admin sockets', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let read: ApiServer
  let admin: ApiServer
  let scheduler: CheckScheduler

  before(async () => {
    tmp = await tempDir()
    scheduler = ttlScheduler()
    const backend = { ...fixtureBackend(), checks: scheduler }
    const adminPath = join(tmp.dir, 'agent.admin.sock')
    read = await startApiServer({ socketPath: join(tmp.dir, 'agent.sock'), adminSocketPath: adminPath, backend, logger: silentLogger() })
    admin = await startApiServer({ socketPath: adminPath, access: 'admin', socketKey: 'adminSocket', backend, logger: silentLogger() })
  })
  after(async () => {
    await Promise.all([read.close(), admin.close(), scheduler.stop()])
    await tmp[Symbol.asyncDispose]()
  })

  test('a check-in on the read socket is 403 ADMIN_SOCKET_REQUIRED naming the admin socket, and changes nothing', T, async () => {
    const before = scheduler.stats().checkIns
    const answer = await httpRequest(read.socketPath, { method: 'POST', path: '/v1/checks/batch/pass', body: '{"note":"x"}', headers: { 'content-type': 'application/json' } })
    assert.equal(answer.status, 403)
    const error = errorOf(answer.text)
    assert.equal(error.code, 'ADMIN_SOCKET_REQUIRED')
    assert.ok(error.message.includes(admin.socketPath), error.message)
    assert.equal(scheduler.stats().checkIns, before)
    assert.equal(read.stats().requests.check_in['4xx'], 1)
  })

  test('the admin socket serves the check-in and the reads', T, async () => {
    const answer = await httpRequest(admin.socketPath, { method: 'POST', path: '/v1/checks/batch/warn', body: '{"note":"slow"}', headers: { 'content-type': 'application/json' } })
    assert.equal(answer.status, 200, answer.text)
    assert.equal(scheduler.report('batch')?.status, 'warning')
    assert.equal((await httpRequest(admin.socketPath, { path: '/v1/view' })).status, 200)
    assert.equal((await httpRequest(read.socketPath, { path: '/v1/checks' })).status, 200)
  })

  test('file modes: read socket 0660, admin socket 0600', T, async () => {
    assert.equal((await stat(read.socketPath)).mode & 0o777, 0o660)
    assert.equal((await stat(admin.socketPath)).mode & 0o777, 0o600)
    assert.ok((await stat(admin.socketPath)).isSocket())
  })

  test('another user cannot connect to the admin socket; the CLI says who may', { ...T, skip: process.getuid?.() !== 0 ? 'needs root to run the CLI as another user' : false }, async () => {
    // The directory is traversable by others here (0755), so the refusal is the socket's own 0600.
    await chmod(tmp.dir, 0o755)
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [MAIN, 'check-in', 'batch', '--status', 'pass', '--socket', read.socketPath], {
        cwd: ROOT, uid: 65534, gid: 65534, env: { PATH: process.env['PATH'] ?? '', HOME: tmp.dir }, timeout: 15_000, killSignal: 'SIGKILL'
      }, (error, _stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stderr }))
    })
    await chmod(tmp.dir, 0o700)
    assert.equal(run.code, 1, run.stderr)
    assert.ok(run.stderr.includes(admin.socketPath), run.stderr)
    assert.match(run.stderr, /permission denied on the admin socket .*only to the agent's user and root/)
  })
})

describe('unsafe socket directories stop start-up', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  before(async () => { tmp = await tempDir() })
  after(async () => { await tmp[Symbol.asyncDispose]() })

  async function refusal(dir: string, key?: string): Promise<HealthmonError> {
    try {
      const server = await startApiServer({ socketPath: join(dir, 'x.sock'), socketKey: key, backend: fixtureBackend(), logger: silentLogger() })
      await server.close()
    } catch (error) {
      assert.ok(error instanceof HealthmonError)
      return error
    }
    assert.fail(`a socket in ${dir} was accepted`)
  }

  test('world-writable without the sticky bit', T, async () => {
    const dir = join(tmp.dir, 'open')
    await mkdir(dir)
    await chmod(dir, 0o777)
    const error = await refusal(dir, 'adminSocket')
    assert.equal(error.code, 'SOCKET_DIR_UNSAFE')
    assert.match(error.message, /^adminSocket: .*open is world-writable without the sticky bit/)
  })

  test('with the sticky bit (as /tmp) it is accepted', T, async () => {
    const dir = join(tmp.dir, 'sticky')
    await mkdir(dir)
    await chmod(dir, 0o1777)
    const server = await startApiServer({ socketPath: join(dir, 'x.sock'), backend: fixtureBackend(), logger: silentLogger() })
    assert.equal((await httpRequest(server.socketPath, { path: '/v1/self' })).status, 200)
    await server.close()
  })

  test('owned by another non-root user', { ...T, skip: process.getuid?.() !== 0 ? 'needs root to chown' : false }, async () => {
    const dir = join(tmp.dir, 'theirs')
    await mkdir(dir, { mode: 0o755 })
    await chown(dir, 54321, 54321)
    const error = await refusal(dir)
    assert.equal(error.code, 'SOCKET_DIR_UNSAFE')
    assert.match(error.message, /^socket: .*owned by uid 54321/)
  })
})
