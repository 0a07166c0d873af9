/**
 * `healthmon alerts`, `health` (a Nagios plugin) and `watch`, as child processes against a real
 * API server over fixture data on a unix socket.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import type { ClusterView } from '../../src/api/protocol.ts'
import { startApiServer, type ApiServer } from '../../src/api/socket-listener.ts'
import { nagiosResult, perfdatum } from '../../src/cli/commands/health.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { assessHealth } from '../../src/api/health.ts'
import type { SilencesResponse } from '../../src/api/protocol.ts'
import { ALERTS, EVENTS_AT_MS, fixtureBackend, peerEvent, tempDir, until, VIEW, type FixtureBackend } from '../api/fixtures.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const MAIN = join(ROOT, 'src', 'cli', 'main.ts')
const T = { timeout: 20_000 }

function cleanEnv(): NodeJS.ProcessEnv {
  const base = { ...process.env }
  for (const key of Object.keys(base)) if (key.startsWith('HEALTHMON_') || key === 'NO_COLOR' || key === 'FORCE_COLOR') delete base[key]
  return base
}

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: ROOT, env: cleanEnv(), timeout: 15_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr })
    })
  })
}

const healthyView: ClusterView = { ...VIEW, peers: VIEW.peers.filter((p) => p.state === 'alive' || p.state === 'left') }

describe('healthmon alerts, health and watch against an agent API', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  const servers: ApiServer[] = []
  const backends = new Map<string, FixtureBackend>()
  const socketFor = (name: string) => join(tmp.dir, `${name}.sock`)

  before(async () => {
    tmp = await tempDir()
    const views: Record<string, ClusterView> = {
      degraded: VIEW,
      healthy: healthyView,
      unhealthy: { ...healthyView, self: { ...VIEW.self, status: 'unhealthy', awareness: 6 } }
    }
    for (const [name, view] of Object.entries(views)) {
      const backend = fixtureBackend(view)
      backends.set(name, backend)
      servers.push(await startApiServer({ socketPath: socketFor(name), backend, logger: silentLogger() }))
      // Where write commands find it from --socket alone: x.sock -> x.admin.sock.
      servers.push(await startApiServer({ socketPath: join(tmp.dir, `${name}.admin.sock`), access: 'admin', backend, logger: silentLogger() }))
    }
  })
  after(async () => {
    await Promise.all(servers.map((s) => s.close()))
    await tmp[Symbol.asyncDispose]()
  })

  test('alerts: a table, firing first; --json is GET /v1/alerts with the same filters', T, async () => {
    const run = await cli(['alerts', '--socket', socketFor('degraded')])
    assert.equal(run.code, 0, run.stderr)
    const [columns, ...rows] = run.stdout.trimEnd().split('\n')
    assert.match(columns!, /^ALERT +STATE +SEVERITY +SUBJECT +SINCE +NOTE +SUMMARY$/)
    assert.deepEqual(rows.map((r) => r.trim().split(/ {2,}/).slice(0, 4)), [['PeerDead', 'firing', 'critical', 'node-d'], ['PeerSuspect', 'firing', 'warning', 'node-c'], ['DiskSpaceLow', 'pending', 'warning', '/var']])
    const json = await cli(['alerts', '--json', '--severity', 'critical', '--peer', 'node-d', '--socket', socketFor('degraded')])
    assert.equal(json.code, 0, json.stderr)
    assert.deepEqual(JSON.parse(json.stdout), { alerts: [ALERTS[1]], matched: 1 })
    const matched = await cli(['alerts', '--json', '--matcher', 'alertname=~"Peer.*"', '--matcher', 'severity=warning', '--socket', socketFor('degraded')])
    assert.deepEqual(JSON.parse(matched.stdout), { alerts: [ALERTS[0]], matched: 1 })
    const none = await cli(['alerts', '--state', 'resolved', '--socket', socketFor('degraded')])
    assert.equal(none.stdout, 'no alerts\n')
    // A filter the agent rejects is a usage error: exit 2, as for commander's own.
    const bad = await cli(['alerts', '--since', 'tuesday', '--socket', socketFor('degraded')])
    assert.equal(bad.code, 2)
    assert.match(bad.stderr, /^healthmon: query parameter "since" must be .* \(BAD_REQUEST\)\n$/)
  })

  test('silence add (to the admin socket found from --socket), ls, expire; the read socket refuses a write', T, async () => {
    const added = await cli(['silence', 'add', '--matcher', 'alertname=PeerDead', '--matcher', 'peer=node-d', '--duration', '2h', '--comment', 'rack 4', '--socket', socketFor('degraded')])
    assert.equal(added.code, 0, added.stderr)
    const id = added.stdout.trim()
    assert.match(id, /^s\d+$/)
    const ls = await cli(['silence', 'ls', '--json', '--socket', socketFor('degraded')])
    const listed = (JSON.parse(ls.stdout) as SilencesResponse).silences.find((x) => x.id === id)!
    assert.deepEqual(listed.matchers, [{ name: 'alertname', op: '=', value: 'PeerDead' }, { name: 'peer', op: '=', value: 'node-d' }])
    assert.equal(listed.comment, 'rack 4')
    const table = await cli(['silence', 'ls', '--socket', socketFor('degraded')])
    assert.match(table.stdout, new RegExp(`^${id} +active +alertname="PeerDead" peer="node-d"`, 'm'))
    const expired = await cli(['silence', 'expire', id, '--socket', socketFor('degraded')])
    assert.equal(expired.stdout, `${id} expired\n`)
    const missing = await cli(['silence', 'expire', id, '--socket', socketFor('degraded')])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /SILENCE_NOT_FOUND/)
    const noMatcher = await cli(['silence', 'add', '--duration', '1h', '--socket', socketFor('degraded')])
    assert.equal(noMatcher.code, 2)
    // Adding is a write: the read socket refuses it.
    const readOnly = await cli(['silence', 'add', '--matcher', 'peer=x', '--admin-socket', socketFor('degraded'), '--socket', socketFor('degraded')])
    assert.equal(readOnly.code, 1)
    assert.match(readOnly.stderr, /ADMIN_SOCKET_REQUIRED/)
  })

  test('health: Nagios plugin output and exit codes 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN', T, async () => {
    const ok = await cli(['health', '--socket', socketFor('healthy')])
    assert.equal(ok.code, 0, ok.stderr)
    assert.equal(ok.stdout, 'HEALTHMON OK - node-a healthy: 1 of 1 peers alive | peers_alive=1;;;0;2 peers_suspect=0;0;;0;2 peers_dead=0;0;;0;2 peers_missing=0;0;;0;2 peers_left=1;;;0;2 awareness=0;0;3;0;8\n')
    const warning = await cli(['health', '--socket', socketFor('degraded')])
    assert.equal(warning.code, 1)
    assert.match(warning.stdout, /^HEALTHMON WARNING - node-a degraded: 1 of 4 peers alive; node-d dead, rack 1\/db\? missing, node-c suspect \| peers_alive=1;;;0;5 peers_suspect=1;0;;0;5 peers_dead=1;0;;0;5 /)
    const critical = await cli(['health', '--socket', socketFor('unhealthy')])
    assert.equal(critical.code, 2)
    assert.match(critical.stdout, /^HEALTHMON CRITICAL - node-a unhealthy: this node is unhealthy \(awareness 6, unhealthy at 4\); 1 of 1 peers alive \| .* awareness=6;0;3;0;8\n$/)
    const json = await cli(['health', '--json', '--socket', socketFor('degraded')])
    assert.equal(json.code, 1)
    assert.deepEqual(JSON.parse(json.stdout), assessHealth(VIEW, { max: 8, unhealthyAt: 4 }))
    const missing = join(tmp.dir, 'nobody.sock')
    const unknown = await cli(['health', '--socket', missing])
    assert.equal(unknown.code, 3)
    assert.equal(unknown.stdout.split('\n').length, 2, 'one line')
    assert.ok(unknown.stdout.startsWith('HEALTHMON UNKNOWN - no agent is listening on ') && unknown.stdout.includes(missing), unknown.stdout)
    assert.match(unknown.stdout, /healthmon agent/)
  })

  test('health: the text part never carries a "|" or a line break; perfdata follows the plugin syntax', () => {
    const view: ClusterView = { ...VIEW, self: { ...VIEW.self, name: 'a|b\nc' }, peers: [{ ...VIEW.peers[2]!, name: 'x|y' }] }
    const { line, code } = nagiosResult(assessHealth(view, { max: 8, unhealthyAt: 4 }))
    assert.equal(code, 1)
    assert.equal(line.split('|').length, 2, line)
    assert.ok(!line.includes('\n'))
    for (const item of line.split(' | ')[1]!.split(' ')) assert.match(item, /^[a-z_]+=-?[\d.]+(;[^; ]*){0,4}$/, item)
    assert.equal(perfdatum('x', 3), 'x=3')
    assert.equal(perfdatum('x', 3, { min: 0 }), 'x=3;;;0')
    assert.equal(perfdatum('x', 3, { warn: '0', crit: '2', min: 0, max: 9 }), 'x=3;0;2;0;9')
  })

  test('watch: prints events as they happen, one line each, until interrupted (exit 0)', T, async () => {
    const child = spawn(process.execPath, [MAIN, 'watch', '--after', '1', '--socket', socketFor('degraded')], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      await until(() => stdout.split('\n').length > 2, 10_000)
      const c = VIEW.peers[1]!
      backends.get('degraded')!.eventLog.append('peer:dead', EVENTS_AT_MS + 5000, peerEvent(c, 'suspect', 'dead', EVENTS_AT_MS + 5000))
      await until(() => stdout.includes('peer:dead'), 5000)
      child.kill('SIGINT')
      assert.equal(await exited, 0, stderr)
    } finally {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
    }
    const lines = stdout.trimEnd().split('\n')
    assert.equal(lines.length, 3, stdout)
    assert.match(lines[0]!, /^2025-01-01T02:12:01\.000Z {2}#2 {2}peer:suspected {2}node-c {2}alive -> suspect {2}alive -> suspect$/)
    assert.match(lines[1]!, /^2025-01-01T02:12:01\.000Z {2}#3 {2}alert:raised {2}warning {2}node-c is suspect$/)
    assert.match(lines[2]!, /#4 {2}peer:dead {2}node-c {2}suspect -> dead/)
  })

  test('watch --json prints the NDJSON lines; an agent that stops ends it with exit 1', T, async () => {
    await using own = await tempDir()
    const server = await startApiServer({ socketPath: join(own.dir, 'w.sock'), backend: fixtureBackend(), logger: silentLogger() })
    const child = spawn(process.execPath, [MAIN, 'watch', '--json', '--after', '0', '--socket', server.socketPath], { cwd: ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr += chunk })
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    try {
      await until(() => stdout.split('\n').length > 3, 10_000)
      await server.close()
      assert.equal(await exited, 1)
    } finally {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
    }
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { id?: number; type: string })
    assert.deepEqual(lines.map((l) => l.id ?? l.type), [1, 2, 3, 'error'])
    assert.equal(stderr, 'healthmon: the agent ended the event stream: the agent is shutting down (UNAVAILABLE)\n')
  })
})
