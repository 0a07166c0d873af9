/**
 * The shared serialized view (src/api/view-body-cache.ts): on virtual time, that a body is never
 * served after a state change however young it is, nor past its age; then, on real sockets, that
 * the socket and TCP listeners given one cache build the view once between them, and answer 304
 * to a client that holds the current ETag.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startHttpListener } from '../../src/api/http-listener.ts'
import type { ClusterView } from '../../src/api/protocol.ts'
import { startApiServer } from '../../src/api/socket-listener.ts'
import { ifNoneMatchHits, viewBodyCacheFor, viewBodyOf, ViewBodyCache } from '../../src/api/view-body-cache.ts'
import { loadDashboardAssets } from '../../src/dashboard/assets.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { EVENTS_AT_MS, fixtureBackend, httpRequest, peerEvent, tempDir, VIEW } from './fixtures.ts'

/** A state that changes only when told to: its version, and the view a build reads. */
function state(): { version: number; generation: number; view: () => { generation: number } } {
  const s = { version: 1, generation: 1, view: () => ({ generation: s.generation }) }
  return s
}

const generationIn = (body: Buffer): number => (JSON.parse(body.toString('utf8')) as { generation: number }).generation

describe('view body cache (virtual time)', () => {
  test('a body is reused while young and at its version; never after a change, however young', () => {
    const clock = new VirtualClock()
    const s = state()
    const cache = new ViewBodyCache({ clock, maxAgeMs: 100, version: () => s.version })
    assert.equal(cache.fresh(), undefined)
    assert.equal(generationIn(cache.build(s.view).body), 1)
    clock.advance(50)
    assert.equal(generationIn(cache.fresh()!.body), 1)
    // The state changes while the body is 50 ms young, with 50 ms of its age left: it must not be served.
    s.generation = 2
    s.version = 2
    assert.equal(cache.fresh(), undefined)
    assert.equal(generationIn(cache.build(s.view).body), 2)
    assert.equal(generationIn(cache.fresh()!.body), 2)
    assert.equal(cache.builds, 2)
  })

  test('a body expires at maxAgeMs even when the version has not moved', () => {
    const clock = new VirtualClock()
    const s = state()
    const cache = new ViewBodyCache({ clock, maxAgeMs: 100, version: () => s.version })
    cache.build(s.view)
    clock.advance(99)
    assert.notEqual(cache.fresh(), undefined)
    clock.advance(1)
    assert.equal(cache.fresh(), undefined)
  })

  test('an event logged while the view is built leaves that body stale', () => {
    const clock = new VirtualClock()
    const s = state()
    const cache = new ViewBodyCache({ clock, maxAgeMs: 100, version: () => s.version })
    // The build reads generation 1, then the state moves on before it is stored.
    const built = cache.build(() => {
      const view = s.view()
      s.generation = 2
      s.version = 2
      return view
    })
    assert.equal(generationIn(built.body), 1)
    assert.equal(cache.fresh(), undefined)
    assert.equal(generationIn(cache.build(s.view).body), 2)
  })

  test('the age is counted from the start of the build', () => {
    const clock = new VirtualClock()
    const s = state()
    const cache = new ViewBodyCache({ clock, maxAgeMs: 100, version: () => s.version })
    cache.build(() => {
      clock.advance(60)
      return s.view()
    })
    clock.advance(39)
    assert.notEqual(cache.fresh(), undefined)
    clock.advance(1)
    assert.equal(cache.fresh(), undefined)
  })

  test('maxAgeMs 0 never reuses, and does not even read the version', () => {
    const clock = new VirtualClock()
    const s = state()
    let versionReads = 0
    const cache = new ViewBodyCache({ clock, maxAgeMs: 0, version: () => { versionReads += 1; return s.version } })
    cache.build(s.view)
    assert.equal(cache.fresh(), undefined)
    cache.build(s.view)
    assert.equal(cache.builds, 2)
    assert.equal(versionReads, 0)
  })

  test('a version that cannot be read drops the body; a view that cannot be built throws', () => {
    const clock = new VirtualClock()
    let failing = false
    const cache = new ViewBodyCache({ clock, maxAgeMs: 100, version: () => { if (failing) throw new Error('gone'); return 1 } })
    cache.build(() => ({ a: 1 }))
    failing = true
    assert.equal(cache.fresh(), undefined)
    failing = false
    assert.equal(cache.fresh(), undefined)
    assert.throws(() => cache.build(() => { throw new Error('view is rebuilding') }), /view is rebuilding/)
    assert.throws(() => cache.build(() => undefined), /returned nothing/)
  })

  test('the ETag names the bytes: equal bodies share it, different bodies do not', () => {
    const a = viewBodyOf('{"x":1}')
    assert.equal(a.body.toString('utf8'), '{"x":1}\n')
    assert.match(a.etag, /^"[A-Za-z0-9_-]{27}"$/)
    assert.equal(viewBodyOf('{"x":1}').etag, a.etag)
    assert.notEqual(viewBodyOf('{"x":2}').etag, a.etag)
  })

  test('If-None-Match: weak comparison, lists and *', () => {
    const etag = '"abc"'
    const table: [string | undefined, boolean][] = [
      [undefined, false], ['', false], ['"abc"', true], ['W/"abc"', true], ['"abd"', false], ['abc', false],
      ['"x", "abc"', true], ['"x",W/"abc"', true], ['"x", "y"', false], ['*', true], ['"abc"x', false]
    ]
    for (const [header, hits] of table) assert.equal(ifNoneMatchHits(header, etag), hits, String(header))
  })
})

describe('view body cache shared by the listeners (real sockets)', () => {
  let dashboardDir: string
  before(async () => {
    dashboardDir = await mkdtemp(join(tmpdir(), 'hm-dash-'))
    await writeFile(join(dashboardDir, 'index.html'), '<!doctype html><title>t</title>')
  })
  after(async () => {
    await rm(dashboardDir, { recursive: true, force: true })
  })

  test('the socket and TCP listeners build the view once between them, and rebuild after an event', { timeout: 10_000 }, async () => {
    await using tmp = await tempDir()
    const backend = fixtureBackend()
    let builds = 0
    const view = backend.view
    backend.view = (): ClusterView => { builds += 1; return { ...view(), generatedAt: `build ${builds}` } }
    // Real time, but an age no test run reaches: only the event may end the body's life.
    const common = { backend, logger: silentLogger(), viewBodies: viewBodyCacheFor(backend, new VirtualClock(), { viewCacheMs: 60_000 }) }
    const socket = await startApiServer({ ...common, socketPath: join(tmp.dir, 's.sock') })
    const tcp = await startHttpListener({ ...common, host: '127.0.0.1', port: 0, dashboard: loadDashboardAssets(dashboardDir) })
    try {
      const first = await httpRequest(socket.socketPath, { path: '/v1/view' })
      const second = await httpRequest(tcp, { path: '/v1/view' })
      assert.equal(first.status, 200)
      assert.equal(second.status, 200)
      assert.equal(builds, 1)
      assert.equal(second.text, first.text)
      assert.equal(second.headers['etag'], first.headers['etag'])
      assert.equal(socket.stats().viewCacheHits + tcp.stats().viewCacheHits, 1)

      backend.eventLog.append('peer:dead', EVENTS_AT_MS, peerEvent(VIEW.peers[1]!, 'suspect', 'dead', EVENTS_AT_MS))
      const afterChange = await httpRequest(tcp, { path: '/v1/view' })
      assert.equal(JSON.parse(afterChange.text).generatedAt, 'build 2')
      assert.notEqual(afterChange.headers['etag'], first.headers['etag'])
      assert.equal(JSON.parse((await httpRequest(socket.socketPath, { path: '/v1/view' })).text).generatedAt, 'build 2')
      assert.equal(builds, 2)
    } finally {
      await tcp.close()
      await socket.close()
    }
  })

  test('If-None-Match with the current ETag is a 304 without a body, an old one a 200', { timeout: 10_000 }, async () => {
    await using tmp = await tempDir()
    const backend = fixtureBackend()
    const socket = await startApiServer({ backend, logger: silentLogger(), socketPath: join(tmp.dir, 's.sock'), viewCacheMs: 60_000 })
    const tcp = await startHttpListener({ backend, logger: silentLogger(), host: '127.0.0.1', port: 0, dashboard: loadDashboardAssets(dashboardDir), viewCacheMs: 60_000 })
    try {
      for (const target of [socket.socketPath, tcp] as const) {
        const full = await httpRequest(target, { path: '/v1/view' })
        const etag = full.headers['etag'] as string
        assert.match(etag, /^"[^"]+"$/)
        // The precomputed headers: those of every other answer, plus the ETag.
        assert.equal(full.headers['content-type'], 'application/json')
        assert.equal(full.headers['cache-control'], 'no-store')
        assert.equal(Number(full.headers['content-length']), Buffer.byteLength(full.text))
        const again = await httpRequest(target, { path: '/v1/view', headers: { 'if-none-match': `"other", ${etag}` } })
        assert.equal(again.status, 304)
        assert.equal(again.text, '')
        assert.equal(again.headers['etag'], etag)
        assert.equal(again.headers['cache-control'], 'no-store')
        assert.equal((await httpRequest(target, { method: 'HEAD', path: '/v1/view', headers: { 'if-none-match': etag } })).status, 304)
        const stale = await httpRequest(target, { path: '/v1/view', headers: { 'if-none-match': '"an-old-one"' } })
        assert.equal(stale.status, 200)
        assert.equal(stale.text, full.text)
      }
    } finally {
      await tcp.close()
      await socket.close()
    }
  })
})
