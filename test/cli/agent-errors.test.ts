/**
 * What a newcomer meets when `healthmon agent` cannot do what was asked, on real child
 * processes: one line with a code and the fix, exit 1, before anything is left behind; and a
 * node whose seeds do not answer says so in `status`.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { ApiClient } from '../../src/api/client.ts'
import type { ClusterView } from '../../src/api/protocol.ts'
import { AgentChildren, cleanEnv, MAIN, type AgentRun } from './agent-children.ts'

const dir = mkdtempSync(join(tmpdir(), 'hm-agent-errors-'))
const children = new AgentChildren()
after(() => {
  children.killAll()
  rmSync(dir, { recursive: true, force: true })
})

const agent = (args: string[]): Promise<AgentRun> => children.run(args)

const paths = (name: string) => ['--data-dir', join(dir, name), '--socket', join(dir, `${name}.sock`)]

describe('healthmon agent errors a newcomer can act on', { timeout: 60_000 }, () => {
  test('an unparsable --join stops start-up naming it (JOIN_ADDRESS_INVALID), exit 1, one line', async () => {
    const run = await agent(['--join', 'garbage', ...paths('j')])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /^healthmon: invalid config: join\[0\]: invalid join address "garbage": no port given; expected .* \(from --join\) \(JOIN_ADDRESS_INVALID\)\n$/)
  })

  test('listening beyond loopback without a key is refused, naming healthmon keygen and the option', async () => {
    const run = await agent(['--listen', '/ip4/0.0.0.0/tcp/0', ...paths('open')])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /CLUSTER_KEY_REQUIRED/)
    assert.match(run.stderr, /healthmon keygen FILE/)
    assert.match(run.stderr, /--cluster-key-file FILE/)
    assert.equal(run.stderr.split('\n').length, 2, 'one line')
  })

  test('a port in use is LISTEN_FAILED with the fix, and the socket is not left behind', async () => {
    const server: Server = await new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => resolve(s)) })
    const port = (server.address() as { port: number }).port
    try {
      const run = await agent(['--listen', `/ip4/127.0.0.1/tcp/${port}`, ...paths('busy')])
      assert.equal(run.code, 1)
      // The log lines before it are the start-up's; the error is the last line, alone.
      const last = run.stderr.trimEnd().split('\n').at(-1)!
      assert.match(last, new RegExp(`^healthmon: cannot listen on /ip4/127\\.0\\.0\\.1/tcp/${port}: EADDRINUSE; the port is in use .*pick a free one.* \\(LISTEN_FAILED\\)$`))
      await assert.rejects(new ApiClient(join(dir, 'busy.sock')).get('/v1/self'), 'no agent serves the socket')
    } finally {
      server.close()
    }
  })

  test('a node whose join address does not answer says so in status, and keeps trying', async () => {
    // A port nothing listens on: take one, then free it.
    const probe: Server = await new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => resolve(s)) })
    const port = (probe.address() as { port: number }).port
    await new Promise((resolve) => probe.close(resolve))
    const child = spawn(process.execPath, [MAIN, 'agent', '--profile', 'local-test', '--join', `127.0.0.1:${port}`, ...paths('alone')], { env: cleanEnv(), stdio: 'ignore' })
    children.track(child.pid)
    const socket = join(dir, 'alone.sock')
    const deadline = performance.now() + 30_000
    let view: ClusterView | undefined
    while (performance.now() < deadline) {
      view = await new ApiClient(socket).get<ClusterView>('/v1/view').catch(() => undefined)
      if (view !== undefined && view.self.join.attempts >= 2) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.ok(view !== undefined)
    assert.equal(view.self.join.state, 'joining')
    assert.ok(view.self.join.attempts >= 2, 'still trying')
    assert.match(view.self.join.lastError ?? '', new RegExp(`127\\.0\\.0\\.1:${port}: `))
    const status = await new Promise<string>((resolve) => {
      execFile(process.execPath, [MAIN, 'status', '--socket', socket], { env: cleanEnv(), timeout: 15_000 }, (_e, stdout) => resolve(stdout))
    })
    assert.match(status, new RegExp(`^joining 127\\.0\\.0\\.1:${port}: \\d+ attempts, last error: 127\\.0\\.0\\.1:${port}: .+$`, 'm'))
    assert.match(status, /no peers known yet/)
    child.kill('SIGTERM')
  })
})
