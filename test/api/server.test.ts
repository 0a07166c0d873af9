import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { lstat, mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { ApiClient } from '../../src/api/client.ts'
import { ApiError } from '../../src/api/errors.ts'
import { API_PATHS, type AlertsResponse, type ClusterView, type PeerDetail, type SelfView } from '../../src/api/protocol.ts'
import { startApiServer, type ApiServer, type ApiServerOptions } from '../../src/api/socket-listener.ts'
import { HealthmonError } from '../../src/errors.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { ALERTS, detailOf, fixtureBackend, httpRequest, rawConnect, readUntilClose, tempDir, until, VIEW } from './fixtures.ts'

const T = { timeout: 10_000 }

async function serve(socketPath: string, options: Partial<ApiServerOptions> = {}): Promise<ApiServer & AsyncDisposable> {
  const server = await startApiServer({ socketPath, backend: fixtureBackend(), logger: silentLogger(), ...options })
  return Object.assign(server, { [Symbol.asyncDispose]: () => server.close() })
}

function errorOf(text: string): { code: string; message: string } {
  const body = JSON.parse(text) as { error: { code: string; message: string } }
  assert.deepEqual(Object.keys(body), ['error'])
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message'])
  assert.equal(typeof body.error.message, 'string')
  return body.error
}

async function rejectsWithCode(promise: Promise<unknown>, code: string): Promise<HealthmonError> {
  const error = await promise.then(() => undefined, (e: unknown) => e)
  assert.ok(error instanceof HealthmonError, `expected a HealthmonError, got ${String(error)}`)
  assert.equal(error.code, code, error.message)
  return error
}

describe('routes', () => {
  test('GET /v1/view, /v1/self, /v1/alerts answer the backend data as one JSON line', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'))
    const view = await httpRequest(server.socketPath, { path: '/v1/view' })
    assert.equal(view.status, 200)
    assert.equal(view.headers['content-type'], 'application/json')
    assert.equal(view.text, `${JSON.stringify(VIEW)}\n`)
    const client = new ApiClient(server.socketPath)
    assert.deepEqual(await client.get<ClusterView>(API_PATHS.view), VIEW)
    assert.deepEqual(await client.get<SelfView>(API_PATHS.self), VIEW.self)
    assert.deepEqual(await client.get<AlertsResponse>(API_PATHS.alerts), { alerts: [ALERTS[1], ALERTS[0], ALERTS[2]], matched: ALERTS.length })
  })

  test('GET /v1/peers/{id-or-name} finds by id and by URL-encoded name; unknown is 404 PEER_NOT_FOUND', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'))
    const client = new ApiClient(server.socketPath)
    const suspect = VIEW.peers[1]!
    assert.deepEqual(await client.get<PeerDetail>(API_PATHS.peer(suspect.id)), detailOf(suspect))
    assert.deepEqual(await client.get<PeerDetail>(API_PATHS.peer('node-c')), detailOf(suspect))
    // "rack 1/db?" needs its space, slash and question mark encoded.
    assert.equal((await client.get<PeerDetail>(API_PATHS.peer('rack 1/db?'))).name, 'rack 1/db?')
    const missing = await httpRequest(server.socketPath, { path: '/v1/peers/nobody' })
    assert.equal(missing.status, 404)
    assert.equal(errorOf(missing.text).code, 'PEER_NOT_FOUND')
    const error = await rejectsWithCode(client.get(API_PATHS.peer('nobody')), 'PEER_NOT_FOUND')
    assert.ok(error instanceof ApiError && error.status === 404)
    assert.match(error.message, /nobody/)
  })

  test('HEAD is answered like GET without a body', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'))
    const answer = await httpRequest(server.socketPath, { method: 'HEAD', path: '/v1/view' })
    assert.equal(answer.status, 200)
    assert.equal(answer.text, '')
    assert.equal(Number(answer.headers['content-length']), JSON.stringify(VIEW).length + 1)
  })

  test('unknown paths are 404 NOT_FOUND with the error body shape', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'))
    for (const path of ['/', '/v1/nope', '/v1/view/', '/v1/peers/', '/v1/peers/a/b', '/v2/view']) {
      const answer = await httpRequest(server.socketPath, { path })
      assert.equal(answer.status, 404, path)
      assert.equal(answer.headers['content-type'], 'application/json')
      assert.ok(answer.text.endsWith('}\n'))
      assert.equal(errorOf(answer.text).code, 'NOT_FOUND')
    }
  })

  test('a wrong method is 405 METHOD_NOT_ALLOWED with an Allow header', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'))
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const answer = await httpRequest(server.socketPath, { method, path: '/v1/peers/node-b', body: method === 'POST' ? '{}' : undefined })
      assert.equal(answer.status, 405, method)
      assert.equal(answer.headers['allow'], 'GET, HEAD')
      assert.equal(errorOf(answer.text).code, 'METHOD_NOT_ALLOWED')
    }
  })

  test('malformed requests are 400 BAD_REQUEST: bad request line, bad percent-encoding, query parameters', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'))
    const socket = await rawConnect(server.socketPath)
    const received = readUntilClose(socket)
    socket.write('THIS IS NOT HTTP\r\n\r\n')
    const raw = await received
    assert.match(raw, /^HTTP\/1\.1 400 /)
    assert.match(raw, /content-type: application\/json/i)
    assert.equal(errorOf(raw.slice(raw.indexOf('\r\n\r\n') + 4)).code, 'BAD_REQUEST')

    for (const path of ['/v1/peers/%E0%A4%A', '/v1/view?pretty', '/v1/view?limit=3']) {
      const answer = await httpRequest(server.socketPath, { path })
      assert.equal(answer.status, 400, path)
      assert.equal(errorOf(answer.text).code, 'BAD_REQUEST')
    }
    // The server survived them all.
    assert.deepEqual(await new ApiClient(server.socketPath).get(API_PATHS.self), VIEW.self)
  })
})

describe('limits', () => {
  test('limits are checked at start', T, async () => {
    await using tmp = await tempDir()
    await rejectsWithCode(serve(join(tmp.dir, 's.sock'), { connectionsMax: 0 }), 'CONFIG_INVALID')
    await rejectsWithCode(serve(join(tmp.dir, 's.sock'), { headersTimeoutMs: 2000, requestTimeoutMs: 1000 }), 'CONFIG_INVALID')
    assert.deepEqual(await readdir(tmp.dir), [])
  })

  test('a declared oversize body is 413 from the headers alone, without reading it', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'), { requestBodyBytesMax: 1024 })
    const socket = await rawConnect(server.socketPath)
    const received = readUntilClose(socket)
    // Declares 100 MB but sends 2 KB: a server waiting for (or buffering) the body would hang here.
    socket.write(`POST /v1/view HTTP/1.1\r\nhost: x\r\ncontent-length: 100000000\r\n\r\n${'x'.repeat(2048)}`)
    const raw = await received
    assert.match(raw, /^HTTP\/1\.1 413 /)
    assert.match(raw, /connection: close/i)
    assert.equal(errorOf(raw.slice(raw.indexOf('\r\n\r\n') + 4)).code, 'PAYLOAD_TOO_LARGE')
  })

  test('a streamed (chunked) body is cut with 413 once it passes the limit', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'), { requestBodyBytesMax: 8192 })
    const socket = await rawConnect(server.socketPath)
    const received = readUntilClose(socket)
    let closed = false
    socket.once('close', () => { closed = true })
    socket.write('POST /v1/view HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n')
    const chunk = `1000\r\n${'y'.repeat(4096)}\r\n`
    // Bounded: at most 4 MB, far past the limit; the server must answer long before.
    for (let i = 0; i < 1024 && !closed && socket.writable; i++) {
      if (!socket.write(chunk)) await new Promise((resolve) => { socket.once('drain', resolve); socket.once('close', resolve) })
    }
    const raw = await received
    assert.match(raw, /^HTTP\/1\.1 413 /)
    assert.equal(server.stats().requests.view['4xx'], 1)
  })

  test('a small body to a GET-only route is read and answered 405 (size is checked before the method)', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'), { requestBodyBytesMax: 1024 })
    const small = await httpRequest(server.socketPath, { method: 'POST', path: '/v1/view', body: 'x'.repeat(100) })
    assert.equal(small.status, 405)
    const large = await httpRequest(server.socketPath, { method: 'POST', path: '/v1/view', body: 'x'.repeat(1 << 20) })
    assert.equal(large.status, 413)
    assert.equal(errorOf(large.text).code, 'PAYLOAD_TOO_LARGE')
  })

  test('silent and slowloris clients are cut by the timeouts while others are served', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'), { headersTimeoutMs: 300, requestTimeoutMs: 600 })
    const started = performance.now()
    const silent = await rawConnect(server.socketPath)
    const silentAnswer = readUntilClose(silent)
    const slow = await rawConnect(server.socketPath)
    const slowAnswer = readUntilClose(slow)
    slow.write('GET /v1/view HTTP/1.1\r\nhost: x\r\n')
    const drip = setInterval(() => { if (slow.writable) slow.write('x-drip: 1\r\n') }, 50)
    try {
      const client = new ApiClient(server.socketPath)
      for (let i = 0; i < 5; i++) assert.deepEqual(await client.get(API_PATHS.self), VIEW.self)
      const [silentRaw, slowRaw] = await Promise.all([silentAnswer, slowAnswer])
      const elapsed = performance.now() - started
      assert.match(silentRaw, /^HTTP\/1\.1 408 /)
      assert.match(slowRaw, /^HTTP\/1\.1 408 /)
      assert.ok(elapsed >= 250 && elapsed < 2000, `cut after ${elapsed} ms`)
      assert.equal(server.stats().clientErrors, 2)
    } finally {
      clearInterval(drip)
    }
  })

  test('a body trickled past requestTimeoutMs is cut', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'), { headersTimeoutMs: 200, requestTimeoutMs: 400 })
    const socket = await rawConnect(server.socketPath)
    const answer = readUntilClose(socket)
    socket.write('POST /v1/view HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n')
    const drip = setInterval(() => { if (socket.writable) socket.write('z') }, 50)
    try {
      const started = performance.now()
      assert.match(await answer, /^HTTP\/1\.1 408 /)
      assert.ok(performance.now() - started < 2000)
    } finally {
      clearInterval(drip)
    }
  })

  test('over connectionsMax a client gets 429 and is closed, not left hanging; service resumes after', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'), { connectionsMax: 2 })
    const idle = [await rawConnect(server.socketPath), await rawConnect(server.socketPath)]
    await until(() => server.stats().connectionsActive === 2)
    const error = await rejectsWithCode(new ApiClient(server.socketPath).get(API_PATHS.view), 'TOO_MANY_REQUESTS')
    assert.ok(error instanceof ApiError && error.status === 429)
    assert.equal(server.stats().connectionsRejected, 1)
    for (const socket of idle) socket.destroy()
    await until(() => server.stats().connectionsActive === 0)
    assert.deepEqual(await new ApiClient(server.socketPath).get(API_PATHS.view), VIEW)
  })

  test('beyond twice connectionsMax a connection is closed at once and counted as dropped', T, async () => {
    await using tmp = await tempDir()
    await using server = await serve(join(tmp.dir, 's.sock'), { connectionsMax: 1 })
    const held = [await rawConnect(server.socketPath), await rawConnect(server.socketPath)]
    await until(() => server.stats().connectionsActive === 2)
    const extra = await rawConnect(server.socketPath)
    assert.equal(await readUntilClose(extra), '')
    await until(() => server.stats().connectionsDropped === 1)
    for (const socket of held) socket.destroy()
  })
})

describe('failures', () => {
  test('a throwing backend gives 503 UNAVAILABLE and the server keeps serving', T, async () => {
    await using tmp = await tempDir()
    const backend = fixtureBackend()
    await using server = await serve(join(tmp.dir, 's.sock'), { backend })
    backend.failing = true
    for (const path of ['/v1/view', '/v1/self', '/v1/alerts', '/v1/peers/node-b']) {
      const answer = await httpRequest(server.socketPath, { path })
      assert.equal(answer.status, 503, path)
      assert.equal(errorOf(answer.text).code, 'UNAVAILABLE')
    }
    backend.failing = false
    assert.deepEqual(await new ApiClient(server.socketPath).get(API_PATHS.view), VIEW)
    const stats = server.stats()
    assert.equal(stats.requests.view['5xx'], 1)
    assert.equal(stats.requests.view['2xx'], 1)
    assert.equal(stats.requests.peer['5xx'], 1)
  })

  test('a backend returning something unserializable is 503, not a crash', T, async () => {
    await using tmp = await tempDir()
    const backend = { ...fixtureBackend(), view: () => ({ big: 1n }) as unknown as ClusterView }
    await using server = await serve(join(tmp.dir, 's.sock'), { backend })
    assert.equal((await httpRequest(server.socketPath, { path: '/v1/view' })).status, 503)
    assert.deepEqual(await new ApiClient(server.socketPath).get(API_PATHS.alerts), { alerts: [ALERTS[1], ALERTS[0], ALERTS[2]], matched: ALERTS.length })
  })
})

describe('socket file', () => {
  test('creates the directory 0750 and the socket 0660, optionally with a group', T, async () => {
    await using tmp = await tempDir()
    const socketPath = join(tmp.dir, 'run', 'hm', 's.sock')
    const gid = process.getgid?.() ?? 0
    await using _server = await serve(socketPath, { socketGroup: gid })
    assert.equal((await stat(join(tmp.dir, 'run', 'hm'))).mode & 0o777, 0o750)
    const info = await lstat(socketPath)
    assert.ok(info.isSocket())
    assert.equal(info.mode & 0o777, 0o660)
    assert.equal(info.gid, gid)
    // Only the published socket is left in the directory (the private bind name is gone).
    assert.deepEqual(await readdir(join(tmp.dir, 'run', 'hm')), ['s.sock'])
  })

  test('an unknown group name fails without leaving files behind', T, async () => {
    await using tmp = await tempDir()
    await rejectsWithCode(serve(join(tmp.dir, 's.sock'), { socketGroup: 'no-such-group-hm' }), 'CONFIG_INVALID')
    assert.deepEqual(await readdir(tmp.dir), [])
  })

  test('a stale socket left by a killed process is replaced', T, async () => {
    await using tmp = await tempDir()
    const socketPath = join(tmp.dir, 's.sock')
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('ready'))`], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => resolve())
        child.once('exit', () => reject(new Error('child exited early')))
      })
    } finally {
      child.kill('SIGKILL')
    }
    await new Promise((resolve) => child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once('exit', resolve))
    assert.ok((await lstat(socketPath)).isSocket(), 'the killed process left its socket file')
    await rejectsWithCode(new ApiClient(socketPath).get(API_PATHS.view), 'AGENT_UNREACHABLE')
    await using server = await serve(socketPath)
    assert.deepEqual(await new ApiClient(server.socketPath).get(API_PATHS.self), VIEW.self)
  })

  test('a second server on a live socket is refused with SOCKET_IN_USE naming the running agent', T, async () => {
    await using tmp = await tempDir()
    await using first = await serve(join(tmp.dir, 's.sock'))
    const error = await rejectsWithCode(serve(first.socketPath), 'SOCKET_IN_USE')
    assert.ok(error.message.includes(first.socketPath), error.message)
    assert.ok(error.message.includes(VIEW.self.name) && error.message.includes(VIEW.self.id), error.message)
    assert.deepEqual(await new ApiClient(first.socketPath).get(API_PATHS.self), VIEW.self)
  })

  test('a path that is not a socket is never removed', T, async () => {
    await using tmp = await tempDir()
    const path = join(tmp.dir, 'important.txt')
    await writeFile(path, 'keep me')
    const error = await rejectsWithCode(serve(path), 'CONFIG_INVALID')
    assert.match(error.message, /not a socket/)
    assert.equal(await readFile(path, 'utf8'), 'keep me')
    await mkdir(join(tmp.dir, 'adir'))
    await rejectsWithCode(serve(join(tmp.dir, 'adir')), 'CONFIG_INVALID')
  })

  test('a socket path over 107 bytes is refused', T, async () => {
    await rejectsWithCode(serve(`/tmp/${'x'.repeat(120)}.sock`), 'CONFIG_INVALID')
  })

  test('close() removes the socket file, ends keep-alive connections promptly, and is idempotent', T, async () => {
    await using tmp = await tempDir()
    const server = await serve(join(tmp.dir, 's.sock'))
    const agent = new Agent({ keepAlive: true })
    try {
      await new Promise<void>((resolve, reject) => {
        request({ socketPath: server.socketPath, path: '/v1/self', agent }, (res) => { res.resume(); res.on('end', resolve) }).on('error', reject).end()
      })
      const started = performance.now()
      await server.close()
      assert.ok(performance.now() - started < 1000)
      await server.close()
    } finally {
      agent.destroy()
    }
    await assert.rejects(lstat(server.socketPath), { code: 'ENOENT' })
    await rejectsWithCode(new ApiClient(server.socketPath).get(API_PATHS.view), 'AGENT_UNREACHABLE')
  })

  test('close() leaves a socket that another agent has since published at the same path', T, async () => {
    await using tmp = await tempDir()
    const socketPath = join(tmp.dir, 's.sock')
    const old = await serve(socketPath)
    await unlink(socketPath)
    await using current = await serve(socketPath)
    await old.close()
    assert.deepEqual(await new ApiClient(current.socketPath).get(API_PATHS.self), VIEW.self)
  })
})

describe('client', () => {
  test('no socket, a silent server, an oversize answer', T, async () => {
    await using tmp = await tempDir()
    const nothing = await rejectsWithCode(new ApiClient(join(tmp.dir, 'none.sock')).get(API_PATHS.view), 'AGENT_UNREACHABLE')
    assert.ok(nothing.message.includes(join(tmp.dir, 'none.sock')))

    const silentPath = join(tmp.dir, 'silent.sock')
    const silent = createNetServer(() => undefined)
    await new Promise<void>((resolve) => silent.listen(silentPath, resolve))
    try {
      const error = await rejectsWithCode(new ApiClient(silentPath, { timeoutMs: 100 }).get(API_PATHS.view), 'AGENT_UNREACHABLE')
      assert.match(error.message, /did not answer within 100 ms/)
    } finally {
      silent.close()
    }

    await using server = await serve(join(tmp.dir, 's.sock'))
    await rejectsWithCode(new ApiClient(server.socketPath, { responseBytesMax: 100 }).get(API_PATHS.view), 'PAYLOAD_TOO_LARGE')
  })
})
