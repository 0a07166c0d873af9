/**
 * The socket API fuzz (scripts/fuzz/socket-run.ts) against a real unix socket server with short
 * timeouts: malformed HTTP, huge headers and bodies, slowloris clients and a connection flood.
 * The server stays up, answers a normal request after each attack (and during the slow
 * clients), leaves no connection hanging, and counts each kind of reject in its stats.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { startApiServer, type ApiServer } from '../../src/api/socket-listener.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { runSocketFuzz } from '../../scripts/fuzz/socket-run.ts'
import { fixtureBackend, tempDir } from '../api/fixtures.ts'

let tmp: Awaited<ReturnType<typeof tempDir>>
let server: ApiServer

before(async () => {
  tmp = await tempDir()
  server = await startApiServer({
    socketPath: join(tmp.dir, 'fuzz.sock'), backend: fixtureBackend(), logger: silentLogger(),
    headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 1000, streamHeartbeatMs: 500, connectionsMax: 16
  })
})
after(async () => {
  await server?.close()
  await tmp[Symbol.asyncDispose]()
})

test('hostile clients: the server stays up, answers normal requests, and counts every kind of reject', { timeout: 60_000 }, async () => {
  const r = await runSocketFuzz({ server, seed: 5, malformed: 300, slowClients: 8, flood: 60, deadlineMs: 5000 })
  assert.equal(r.hung, 0, 'no connection outlived the deadline')
  assert.equal(r.healthyAfter, r.healthChecks, 'every normal request got 200')
  const s = r.stats
  assert.ok(s.clientErrorsByKind.malformed > 0, 'malformed requests counted')
  assert.ok(s.clientErrorsByKind.headers_too_large >= 1, 'oversize headers counted')
  assert.ok(s.clientErrorsByKind.timeout >= r.sent.slowClients, `slow clients cut by the timeout: ${s.clientErrorsByKind.timeout}`)
  assert.ok((s.errorsByCode.PAYLOAD_TOO_LARGE ?? 0) >= 2, 'both huge bodies answered 413')
  assert.ok(s.connectionsRejected + s.connectionsDropped > 0, 'the flood hit the connection limit')
  assert.ok((r.answers['431'] ?? 0) >= 1 && (r.answers['408'] ?? 0) >= r.sent.slowClients && (r.answers['400'] ?? 0) > 0)
  assert.equal(r.answers['500'] ?? 0, 0, 'no request made the server fail')
  assert.equal(s.connectionsActive, 0, 'every connection closed')
})
