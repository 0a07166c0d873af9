/**
 * Checks in a real agent: a Daemon (real libp2p on 127.0.0.1, real unix socket) configured with
 * an exec check (a fixture plugin), a tcp check and a TTL check, queried through the socket as
 * an operator would: GET /v1/checks, a check-in, /metrics; and stopping the agent kills a
 * plugin that is still running.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ApiClient } from '../../src/api/client.ts'
import { API_PATHS, type CheckDetail, type ChecksResponse } from '../../src/api/protocol.ts'
import { loadConfig } from '../../src/config/load.ts'
import { Daemon } from '../../src/daemon.ts'
import { httpRequest, tempDir } from '../api/fixtures.ts'
import { startTcpListener, type TcpListener } from './net-helpers.ts'
import { FIXTURES, leadersTagged, waitFor } from './proc-helpers.ts'

const T = { timeout: 30_000 }

describe('checks in a running agent', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let listener: TcpListener
  let daemon: Daemon
  let client: ApiClient
  const tag = `agent-${process.pid}`
  let checks: CheckDetail[] = []
  const refresh = async (): Promise<CheckDetail[]> => {
    checks = (await client.get<ChecksResponse>(API_PATHS.checks)).checks
    return checks
  }
  const byId = (id: string) => checks.find((c) => c.id === id)

  before(async () => {
    tmp = await tempDir()
    listener = await startTcpListener()
    const config = loadConfig({
      env: {},
      flags: {
        profile: 'local-test', name: 'checker', cluster: 'checkstest', logLevel: 'silent',
        dataDir: join(tmp.dir, 'data'), socket: join(tmp.dir, 'agent.sock'),
        checks: [
          { id: 'warn-plugin', exec: [join(FIXTURES, 'exit-code.sh'), '1'], intervalMs: 200 },
          { id: 'port', tcp: `127.0.0.1:${listener.port}`, intervalMs: 200 },
          { id: 'slow', exec: [join(FIXTURES, 'hang.sh'), tag], intervalMs: 100, timeoutMs: 60_000 },
          { id: 'batch', ttlMs: 60_000 }
        ]
      }
    })
    daemon = new Daemon({ config })
    await daemon.start()
    client = new ApiClient(config.socket)
  })
  after(async () => {
    await daemon.stop()
    await listener.close()
    await tmp[Symbol.asyncDispose]()
  })

  test('GET /v1/checks shows the exec and tcp results as they come in', T, async () => {
    // Each poll starts a fresh GET; the predicate reads the newest answer received.
    await waitFor(() => {
      void refresh().catch(() => undefined)
      return byId('warn-plugin')?.status === 'warning' && byId('port')?.status === 'passing'
    }, 'both checks ran', 15_000)
    assert.equal(byId('warn-plugin')?.output, 'EXIT 1 - exiting with 1')
    assert.equal(byId('batch')?.status, 'unknown')
  })

  test('a check-in through the admin socket reaches the TTL check; the read socket refuses it', T, async () => {
    assert.equal(daemon.config.adminSocket, join(tmp.dir, 'agent.admin.sock'))
    await assert.rejects(client.post(API_PATHS.checkIn('batch', 'pass')), (error: Error & { code?: string }) => error.code === 'ADMIN_SOCKET_REQUIRED' && error.message.includes(daemon.config.adminSocket))
    assert.equal(daemon.checks.report('batch')?.status, 'unknown')
    const check = await new ApiClient(daemon.config.adminSocket).post<CheckDetail>(API_PATHS.checkIn('batch', 'pass'), { note: 'nightly run done' })
    assert.equal(check.status, 'passing')
    assert.equal(daemon.checks.report('batch')?.output, 'nightly run done')
  })

  test('/metrics carries each check\'s status', T, async () => {
    const { text } = await httpRequest(daemon.config.socket, { path: '/metrics' })
    assert.match(text, /^healthmon_check_status\{check="warn-plugin"\} 1$/m)
    assert.match(text, /^healthmon_check_status\{check="batch"\} 0$/m)
    assert.match(text, /^healthmon_check_runs_total\{check="port"\} \d+$/m)
  })

  test('a real agent\'s /metrics is wired to every drop counter source (transport, gossipsub, events, API)', T, async () => {
    const { text } = await httpRequest(daemon.config.socket, { path: '/metrics' })
    for (const series of [
      'healthmon_gossip_messages_rejected_total{reason="too-large"}', 'healthmon_gossipsub_messages_invalid_total{reason="invalid_signature"}',
      'healthmon_gossipsub_rpc_errors_total{kind="recv"}', 'healthmon_gossip_validator_errors_total', 'healthmon_listener_errors_total{source="transport"}',
      'healthmon_listener_errors_total{source="events"}', 'healthmon_reports_dropped_total', 'healthmon_actors_stopped',
      'healthmon_actor_restarts_total{kind="cooldown"}', 'healthmon_api_client_errors_by_kind_total{kind="timeout"}'
    ]) assert.ok(text.includes(`\n${series} `), `${series} on /metrics`)
    // The earlier check-in refused on the read socket is counted by code.
    assert.match(text, /^healthmon_api_errors_total\{code="ADMIN_SOCKET_REQUIRED"\} [1-9]\d*$/m)
  })

  test('stopping the agent kills a plugin that is still running', T, async () => {
    await waitFor(() => leadersTagged(tag).length === 1, 'the slow plugin running')
    await daemon.stop()
    await waitFor(() => leadersTagged(tag).length === 0, 'the slow plugin killed on stop')
  })
})
