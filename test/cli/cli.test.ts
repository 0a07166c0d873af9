/**
 * The real `healthmon` CLI as a child process against a real API server on a unix socket.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { startApiServer, type ApiServer } from '../../src/api/socket-listener.ts'
import { defaultDataDir, defaultSocketPath, type PathEnv } from '../../src/config/paths.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { detailOf, fixtureBackend, tempDir, VIEW } from '../api/fixtures.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const MAIN = join(ROOT, 'src', 'cli', 'main.ts')
const T = { timeout: 20_000 }

interface Run {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `node src/cli/main.ts ...args`; a child still running after 15 s is killed (SIGKILL, by pid). */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const base = { ...process.env }
  for (const key of Object.keys(base)) if (key.startsWith('HEALTHMON_') || key === 'NO_COLOR' || key === 'FORCE_COLOR') delete base[key]
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...base, ...env }, timeout: 15_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null
      resolve({ code, stdout, stderr })
    })
  })
}

describe('healthmon CLI against a running agent API', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>
  let server: ApiServer
  let socket: string

  before(async () => {
    tmp = await tempDir()
    server = await startApiServer({ socketPath: join(tmp.dir, 'agent.sock'), backend: fixtureBackend(), logger: silentLogger() })
    socket = server.socketPath
  })
  after(async () => {
    await server.close()
    await tmp[Symbol.asyncDispose]()
  })

  test('status --json prints exactly the object of GET /v1/view, on one line', T, async () => {
    const run = await cli(['status', '--json', '--socket', socket])
    assert.equal(run.code, 0, run.stderr)
    assert.equal(run.stdout, `${JSON.stringify(VIEW)}\n`)
    assert.deepEqual(JSON.parse(run.stdout), VIEW)
    assert.equal(run.stderr, '')
  })

  test('status shows self and every peer, worst state first, without colour when not a TTY', T, async () => {
    const run = await cli(['status', '--socket', socket])
    assert.equal(run.code, 0, run.stderr)
    assert.ok(!run.stdout.includes('\x1b'), 'no ANSI escapes on a pipe')
    const [header, resources, alerts, blank, columns, ...rows] = run.stdout.trimEnd().split('\n')
    assert.match(header!, /^node-a \(12D3…abcd\) in cluster "test": healthy, incarnation 3, awareness 0, up 2h13m$/)
    assert.equal(resources, 'resources not sampled yet; failing checks: 0')
    assert.equal(alerts, 'active alerts: 3 (node-d dead, rack 1/db? missing, node-c suspect)')
    assert.equal(blank, '')
    assert.match(columns!, /^NAME +ID +STATE +PHI +LAST HEARD +OBSERVERS +STATUS +CPU +MEM +DISK +LOAD\/CORE +FAILING CHECKS +FAILURES$/)
    assert.deepEqual(rows.map((row) => row.split(/ {2,}/)[0]), ['node-d', 'rack 1/db?', 'node-c', 'node-b', 'node-e'])
    for (const peer of VIEW.peers) assert.ok(rows.some((row) => row.startsWith(peer.name) && row.includes(` ${peer.state} `)), peer.name)
    const suspect = rows.find((row) => row.startsWith('node-c'))!
    assert.deepEqual(suspect.split(/ {2,}/), ['node-c', '12D3…cccc', 'suspect', '8.1', '3.2s', '2/3', 'degraded', '13%', '40%', '55%', '0.30', '0', '2'])
    assert.match(rows.find((row) => row.startsWith('rack'))!, / never /)
  })

  test('HEALTHMON_SOCKET is used when --socket is absent', T, async () => {
    const run = await cli(['status', '--json'], { HEALTHMON_SOCKET: socket })
    assert.equal(run.code, 0, run.stderr)
    assert.deepEqual(JSON.parse(run.stdout), VIEW)
  })

  test('members lists self first, then peers by name, with full ids', T, async () => {
    const run = await cli(['members', '--socket', socket])
    assert.equal(run.code, 0, run.stderr)
    const rows = run.stdout.trimEnd().split('\n').slice(1)
    assert.equal(rows.length, VIEW.peers.length + 1)
    assert.ok(rows[0]!.startsWith('node-a (self)') && rows[0]!.includes(VIEW.self.id))
    for (const peer of VIEW.peers) assert.ok(rows.some((row) => row.includes(peer.id) && row.includes(peer.state)), peer.name)
  })

  test('peer <name> --json prints the peer detail; the human form shows its history', T, async () => {
    const json = await cli(['peer', 'node-c', '--json', '--socket', socket])
    assert.equal(json.code, 0, json.stderr)
    assert.deepEqual(JSON.parse(json.stdout), detailOf(VIEW.peers[1]!))
    assert.equal(json.stdout.split('\n').length, 2)

    const text = await cli(['peer', VIEW.peers[2]!.id, '--socket', socket])
    assert.equal(text.code, 0, text.stderr)
    assert.match(text.stdout, /^node-d 12D3KooWD/)
    assert.match(text.stdout, /state +dead since/)
    assert.match(text.stdout, /alive -> dead/)
  })

  test('an unknown peer exits 1 with one clear line', T, async () => {
    const run = await cli(['peer', 'no-such-node', '--socket', socket])
    assert.equal(run.code, 1)
    assert.equal(run.stdout, '')
    assert.equal(run.stderr, 'healthmon: no peer with id or name "no-such-node" is known (PEER_NOT_FOUND)\n')
  })

  test('with no agent listening: exit 1, one line naming the socket and how to start an agent', T, async () => {
    const missing = join(tmp.dir, 'nobody.sock')
    const run = await cli(['status', '--socket', missing])
    assert.equal(run.code, 1)
    assert.equal(run.stdout, '')
    const lines = run.stderr.split('\n')
    assert.equal(lines.length, 2, run.stderr)
    assert.equal(lines[1], '')
    assert.ok(lines[0]!.includes(missing), lines[0])
    assert.match(lines[0]!, /healthmon agent/)
  })

  test('without --socket, the default rule for --cluster is tried', T, async () => {
    const env = { XDG_RUNTIME_DIR: tmp.dir, HEALTHMON_CLUSTER: 'other' }
    const pathEnv: PathEnv = { env, isRoot: process.getuid?.() === 0, home: process.env['HOME'] ?? '' }
    const fromEnv = await cli(['members'], env)
    assert.equal(fromEnv.code, 1)
    assert.ok(fromEnv.stderr.includes(defaultSocketPath('other', defaultDataDir('other', pathEnv), pathEnv)), fromEnv.stderr)
    const fromFlag = await cli(['members', '--cluster', 'prod'], env)
    assert.ok(fromFlag.stderr.includes(defaultSocketPath('prod', defaultDataDir('prod', pathEnv), pathEnv)), fromFlag.stderr)
  })

  test('usage errors exit 2; --help and --version exit 0', T, async () => {
    const unknownOption = await cli(['status', '--bogus', '--socket', socket])
    assert.equal(unknownOption.code, 2)
    assert.match(unknownOption.stderr, /unknown option '--bogus'/)
    assert.equal((await cli(['peer', '--socket', socket])).code, 2)
    assert.equal((await cli(['no-such-command'])).code, 2)
    const help = await cli(['status', '--help'])
    assert.equal(help.code, 0)
    assert.match(help.stdout, /Exit status: 0 whenever the agent answered/)
    const version = await cli(['--version'])
    assert.equal(version.code, 0)
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/)
  })
})
