import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { BearerToken, readTokenFile } from '../../src/api/http-auth.ts'
import { HTTP_LISTENER_PATHS, startHttpListener, type HttpListener, type HttpListenerOptions } from '../../src/api/http-listener.ts'
import { loadDashboardAssets } from '../../src/dashboard/assets.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { fixtureBackend, httpRequest, VIEW, type HttpAnswer } from './fixtures.ts'

/**
 * The read-only TCP listener on 127.0.0.1 (port 0), over the fixture backend: the gate's rules
 * (methods, allow-list, token, dashboard files) and that it keeps the socket server's limits.
 */
const TOKEN = 'a-test-token-0123456789abcdef'

const tcpRequest = (listener: HttpListener, options: Parameters<typeof httpRequest>[1]): Promise<HttpAnswer> => httpRequest(listener, options)

let dashboardDir: string
before(async () => {
  // A bundle of our own, so these tests do not depend on `npm run build` having run.
  dashboardDir = await mkdtemp(join(tmpdir(), 'hm-dash-'))
  await writeFile(join(dashboardDir, 'index.html'), '<!doctype html><title>t</title>')
  await writeFile(join(dashboardDir, 'app.js'), 'console.log(1)')
  await writeFile(join(dashboardDir, 'app.css'), 'body{}')
})
after(async () => {
  await rm(dashboardDir, { recursive: true, force: true })
})

async function listen(options: Partial<HttpListenerOptions> = {}): Promise<HttpListener & AsyncDisposable> {
  const listener = await startHttpListener({ host: '127.0.0.1', port: 0, backend: fixtureBackend(), logger: silentLogger(), dashboard: loadDashboardAssets(dashboardDir), ...options })
  return Object.assign(listener, { [Symbol.asyncDispose]: () => listener.close() })
}

describe('http listener: read-only', () => {
  test('binds an ephemeral port and says where', async () => {
    await using l = await listen()
    assert.equal(l.host, '127.0.0.1')
    assert.ok(l.port > 0)
    assert.equal(l.url, `http://127.0.0.1:${l.port}/`)
  })

  test('serves the allow-listed read paths', async () => {
    await using l = await listen()
    const view = await tcpRequest(l, { path: '/v1/view' })
    assert.equal(view.status, 200)
    assert.deepEqual(JSON.parse(view.text).self.name, VIEW.self.name)
    // The fixture's view has a suspect peer: degraded, which /v1/health answers 429 (as on the socket).
    const health = await tcpRequest(l, { path: '/v1/health' })
    assert.equal(health.status, 429)
    assert.equal(JSON.parse(health.text).status, 'degraded')
    assert.equal((await tcpRequest(l, { path: '/v1/alerts?limit=5' })).status, 200)
    const metrics = await tcpRequest(l, { path: '/metrics' })
    assert.equal(metrics.status, 200)
    assert.match(metrics.text, /^healthmon_test_total 3$/m)
    assert.equal((await tcpRequest(l, { method: 'HEAD', path: '/v1/view' })).status, 200)
  })

  test('refuses every method but GET and HEAD, on any path, with Allow', async () => {
    await using l = await listen()
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      for (const path of ['/v1/checks/web/pass', '/v1/view', '/', '/v1/silences', '/nowhere']) {
        const body = '{"note":"x"}'
        const answer = await tcpRequest(l, { method, path, body, headers: { 'content-type': 'application/json', 'content-length': String(body.length) } })
        assert.equal(answer.status, 405, `${method} ${path}`)
        assert.equal(answer.headers['allow'], 'GET, HEAD')
        assert.equal(JSON.parse(answer.text).error.code, 'METHOD_NOT_ALLOWED')
      }
    }
  })

  test('paths off the allow-list are 404, even those the socket serves', async () => {
    await using l = await listen()
    for (const path of ['/v1/self', '/v1/peers/node-b', '/v1/events', '/v1/checks', '/v1/checks/web/pass', '/v1/silences', '/admin']) {
      const answer = await tcpRequest(l, { path })
      assert.equal(answer.status, 404, path)
      assert.match(JSON.parse(answer.text).error.message, /not served on the HTTP listener/)
    }
  })

  test('the allow-list holds only read routes', () => {
    assert.deepEqual([...HTTP_LISTENER_PATHS].sort(), ['/metrics', '/v1/alerts', '/v1/events/stream', '/v1/health', '/v1/metrics/history', '/v1/view'])
  })

  test('serves the dashboard files from memory, and explains a missing bundle', async () => {
    await using l = await listen()
    const page = await tcpRequest(l, { path: '/' })
    assert.equal(page.status, 200)
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8')
    assert.equal((await tcpRequest(l, { path: '/app.js' })).headers['content-type'], 'text/javascript; charset=utf-8')
    assert.equal((await tcpRequest(l, { path: '/app.js/../index.html' })).status, 404)
    await using bare = await listen({ dashboard: loadDashboardAssets(join(dashboardDir, 'absent')) })
    const missing = await tcpRequest(bare, { path: '/' })
    assert.equal(missing.status, 503)
    assert.match(JSON.parse(missing.text).error.message, /npm run build/)
  })

  test('keeps the socket server\'s limits: bodies and connections', async () => {
    await using l = await listen({ requestBodyBytesMax: 16, connectionsMax: 1 })
    const big = await tcpRequest(l, { path: '/v1/view', body: 'x'.repeat(64), headers: { 'content-length': '64' } })
    assert.equal(big.status, 413)
    // One connection held open; the next is over the limit and told so.
    const held = connect(l.port, '127.0.0.1')
    await new Promise<void>((resolve, reject) => { held.once('connect', resolve); held.once('error', reject) })
    try {
      const over = await tcpRequest(l, { path: '/v1/view' })
      assert.equal(over.status, 429)
    } finally {
      held.destroy()
    }
  })
})

describe('http listener: bearer token', () => {
  test('data paths need the token; the dashboard files do not', async () => {
    await using l = await listen({ token: new BearerToken(TOKEN) })
    const none = await tcpRequest(l, { path: '/v1/view' })
    assert.equal(none.status, 401)
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="healthmon"')
    assert.equal(JSON.parse(none.text).error.code, 'UNAUTHORIZED')
    assert.equal((await tcpRequest(l, { path: '/metrics', headers: { authorization: `Bearer ${TOKEN}x` } })).status, 401)
    assert.equal((await tcpRequest(l, { path: '/metrics', headers: { authorization: `Basic ${TOKEN}` } })).status, 401)
    assert.equal((await tcpRequest(l, { path: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).status, 200)
    assert.equal((await tcpRequest(l, { path: '/metrics', headers: { authorization: `bearer ${TOKEN}` } })).status, 200)
    assert.equal((await tcpRequest(l, { path: '/' })).status, 200)
    // A write is refused before the token is even looked at.
    assert.equal((await tcpRequest(l, { method: 'POST', path: '/v1/view', headers: { authorization: `Bearer ${TOKEN}` } })).status, 405)
  })

  test('BearerToken compares whole tokens only', () => {
    const token = new BearerToken(TOKEN)
    assert.equal(token.accepts(undefined), false)
    assert.equal(token.accepts(''), false)
    assert.equal(token.accepts('Bearer '), false)
    assert.equal(token.accepts(`Bearer ${TOKEN.slice(0, -1)}`), false)
    assert.equal(token.accepts(`Bearer ${TOKEN} extra`), false)
    assert.equal(token.accepts(`Bearer ${TOKEN}`), true)
  })

  test('readTokenFile: the first line, and a clear error for a missing, short or spaced token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hm-token-'))
    try {
      await writeFile(join(dir, 'ok'), `${TOKEN}\nsecond line ignored\n`)
      assert.equal(readTokenFile(join(dir, 'ok')), TOKEN)
      await writeFile(join(dir, 'short'), 'abc\n')
      assert.throws(() => readTokenFile(join(dir, 'short')), (e: Error & { key?: string }) => e.key === 'httpTokenFile' && /at least 16 characters/.test(e.message))
      await writeFile(join(dir, 'spaced'), 'abcdefgh ijklmnopq\n')
      assert.throws(() => readTokenFile(join(dir, 'spaced')), /printable ASCII without spaces/)
      assert.throws(() => readTokenFile(join(dir, 'absent')), /httpTokenFile.*cannot read/)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
