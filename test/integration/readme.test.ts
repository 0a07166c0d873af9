import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ApiClient } from '../../src/api/client.ts'
import type { ClusterView, PeerState, SelfView } from '../../src/api/protocol.ts'
import { defaultDataDir, defaultSocketPath } from '../../src/config/paths.ts'

/**
 * The README is a contract: this runs its set-up, its three-node example and its embedding
 * example exactly as written, read from README.md at test time (not copied here), in the clone,
 * as a newcomer would: `npm start`, `npx healthmon agent ...` in three "terminals" (process
 * groups, so Ctrl-C is a SIGINT to the group as a terminal sends it), `npx healthmon status`, then
 * the section's promises: Ctrl-C -> left, kill -9 -> suspect then dead, restart -> alive with a
 * higher incarnation; and the embedding example as a program importing 'healthmon'.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const README = readFileSync(join(ROOT, 'README.md'), 'utf8')

/** The first fenced block of `lang` after the heading `heading`. */
function block(heading: string, lang: string): string {
  const at = README.indexOf(`${heading}\n`)
  assert.ok(at >= 0, `README has the heading ${heading}`)
  const open = README.indexOf('```' + lang + '\n', at)
  const close = README.indexOf('\n```', open + 4)
  assert.ok(open > at && close > open, `a ${lang} block follows ${heading}`)
  return README.slice(open + lang.length + 4, close)
}

/** The commands of an sh block: no comments, no blank lines, trailing comments dropped. */
function commands(sh: string): string[] {
  return sh.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).filter((l) => l !== '' && !l.startsWith('#'))
}

const children: ChildProcess[] = []
/** Runs a command line like a terminal: a shell in its own process group, in the clone. */
function terminal(line: string, env: NodeJS.ProcessEnv = process.env): ChildProcess & { output: () => string } {
  const child = spawn('sh', ['-c', line], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  let text = ''
  child.stdout!.on('data', (d: Buffer) => { text += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { text += d.toString() })
  return Object.assign(child, { output: () => text })
}
/** Resolves once the process has exited (also when it already has), with its code (null: killed by a signal). */
const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)))

/** Ctrl-C in that terminal: SIGINT to its whole foreground process group. */
function ctrlC(child: ChildProcess): void {
  try { process.kill(-child.pid!, 'SIGINT') } catch { /* already gone */ }
}

after(() => {
  // Every process group this file started, by id, whatever state the tests left it in.
  for (const child of children) {
    try { process.kill(-child.pid!, 'SIGKILL') } catch { /* already gone */ }
  }
})

/** Runs a command to completion (at most 60 s) and returns its exit code and output. */
async function run(line: string, env?: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = terminal(line, env)
  const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL') } catch { /* gone */ } }, 60_000)
  const code = await exited(child)
  clearTimeout(timer)
  return { code, output: child.output() }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let last: unknown
  while (performance.now() < deadline) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (err) {
      last = err
    }
    await sleep(200)
  }
  assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : ` (last error: ${String(last)})`}`)
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer().once('error', () => resolve(false)).listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

const view = (socket: string) => new ApiClient(socket).get<ClusterView>('/v1/view')
const stateAt = async (socket: string, name: string): Promise<PeerState | undefined> => (await view(socket)).peers.find((p) => p.name === name)?.state

describe('the README, as written', { timeout: 240_000, concurrency: false }, () => {
  test('before: the ports the README uses are free', async () => {
    for (const port of [7946, 7947, 7948, 9746]) assert.ok(await portFree(port), `port ${port} is in use: stop whatever listens there (an agent from the README?) and run again`)
  })

  test('set-up: `npm start` runs an agent with the embedded defaults, on loopback, and `npx healthmon status` reads it', async () => {
    const [install, start] = commands(block('## Set-up', 'sh'))
    assert.equal(install, 'npm install')
    assert.equal(start, 'npm start')
    // A fresh HOME stands for a newcomer's machine: as a user, the default data dir and socket
    // live under it; as root (CI) they are /var/lib/healthmon/default and /run/healthmon.
    const home = mkdtempSync(join(tmpdir(), 'hm-readme-home-'))
    const env = { ...process.env, HOME: home, XDG_RUNTIME_DIR: '', XDG_STATE_HOME: '', HEALTHMON_SOCKET: '' }
    const pathEnv = { env, isRoot: process.getuid?.() === 0, home }
    const socket = defaultSocketPath('default', defaultDataDir('default', pathEnv), pathEnv)
    const agent = terminal(start!, env)
    try {
      const self = await waitFor('the npm start agent answers', async () => (await new ApiClient(socket).get<SelfView>('/v1/self')).id, 30_000)
      assert.ok(self.startsWith('12D3KooW'))
      assert.match(agent.output(), /127\.0\.0\.1\/tcp\/7946: loopback only/, 'the first log line says it listens on loopback only')
      const table = await run(commands(block('In another terminal in the clone, while `npm start` runs:', 'sh'))[0]!, env)
      assert.equal(table.code, 0, table.output)
      // Its own status depends on this host (a loaded machine is rightly degraded); the view is there.
      assert.match(table.output, /in cluster "default": (healthy|degraded|unhealthy), incarnation \d+/)
    } finally {
      ctrlC(agent)
      await exited(agent)
      assert.match(agent.output(), /"msg":"agent stopped"/, 'Ctrl-C stops it cleanly')
      rmSync(home, { recursive: true, force: true })
    }
  })

  const lines = commands(block('### A three-node cluster on one machine', 'sh'))
  const agentLines = lines.filter((l) => / agent /.test(l))
  const statusLine = lines.find((l) => / status /.test(l))!
  const terminals = new Map<string, ReturnType<typeof terminal>>()
  const socketOf = (name: string) => `/tmp/hm/${name}.sock`

  test('three-node example: the commands form a cluster and status shows it', async () => {
    assert.equal(agentLines.length, 3)
    for (const name of ['a', 'b', 'c']) rmSync(`/tmp/hm/${name}`, { recursive: true, force: true })
    for (const line of agentLines) {
      const name = /--name (\S+)/.exec(line)![1]!
      terminals.set(name, terminal(line))
    }
    await waitFor('a sees b and c alive', async () => {
      const v = await view(socketOf('a'))
      return v.peers.length === 2 && v.peers.every((p) => p.state === 'alive') ? true : undefined
    }, 45_000)
    const status = await run(statusLine)
    assert.equal(status.code, 0, status.output)
    assert.match(status.output, /^b +\S+ +alive /m)
    assert.match(status.output, /^c +\S+ +alive /m)
  })

  test('three-node example: Ctrl-C of one -> left; kill -9 -> suspect, then dead; restart -> alive with a higher incarnation', async () => {
    ctrlC(terminals.get('c')!)
    await exited(terminals.get('c')!)
    assert.match(terminals.get('c')!.output(), /"msg":"agent stopped"/, 'c stopped cleanly')
    await waitFor('a sees c left', async () => (await stateAt(socketOf('a'), 'c')) === 'left' ? true : undefined, 15_000)

    const b = await new ApiClient(socketOf('b')).get<SelfView>('/v1/self')
    process.kill(b.pid, 'SIGKILL')
    const seen = new Set<PeerState>()
    await waitFor('a sees b dead', async () => {
      const s = await stateAt(socketOf('a'), 'b')
      if (s !== undefined) seen.add(s)
      return s === 'dead' ? true : undefined
    }, 15_000)
    assert.ok(seen.has('suspect') || seen.has('dead'), `went through suspect to dead (seen: ${[...seen].join(', ')})`)
    await exited(terminals.get('b')!)

    // The alerts section, with b dead: its PeerDead alert, a silence, then force-leave.
    const [alertsLine, silenceAdd, silenceLs, forceLeave] = commands(block('### Alerts, silences and force-leave', 'sh'))
    const alerts = await waitFor('a shows the PeerDead alert about b', async () => {
      const r = await run(alertsLine!)
      return r.code === 0 && /^PeerDead +firing +critical +b /m.test(r.output) ? r : undefined
    }, 30_000)
    assert.match(alerts.output, /Peer b is dead/)
    const added = await run(silenceAdd!)
    assert.equal(added.code, 0, added.output)
    const id = added.output.trim()
    const listed = await run(silenceLs!)
    assert.match(listed.output, new RegExp(`^${id} +active +alertname="PeerDead" peer="b" `, 'm'))
    const left = await run(forceLeave!)
    assert.equal(left.code, 0, left.output)
    assert.match(left.output, /^b \(\S+\) marked left/)
    assert.equal(await stateAt(socketOf('a'), 'b'), 'left')
    await waitFor('the PeerDead alert about b resolves once b is left', async () => {
      const r = await run(alertsLine!)
      return /^PeerDead +resolved +critical +b /m.test(r.output) ? true : undefined
    }, 15_000)

    terminals.set('b', terminal(agentLines.find((l) => l.includes('--name b'))!))
    await waitFor('a sees b alive again with a higher incarnation', async () => {
      const peer = (await view(socketOf('a'))).peers.find((p) => p.name === 'b')
      return peer?.state === 'alive' && peer.incarnation > b.incarnation ? true : undefined
    }, 30_000)
  })

  test('embedding example: the program imports healthmon, joins agent a, prints every member and exits', async () => {
    const app = mkdtempSync(join(tmpdir(), 'hm-readme-app-'))
    try {
      // As `npm link healthmon` would: the app's node_modules/healthmon is this clone.
      mkdirSync(join(app, 'node_modules'))
      symlinkSync(ROOT, join(app, 'node_modules', 'healthmon'))
      writeFileSync(join(app, 'package.json'), '{"type":"module"}\n')
      writeFileSync(join(app, 'example.ts'), block('## Embedding', 'ts'))
      rmSync('/tmp/hm/web-1', { recursive: true, force: true })
      const child = spawn(process.execPath, ['example.ts'], { cwd: app, stdio: ['ignore', 'pipe', 'pipe'] })
      children.push(child)
      let out = ''
      let err = ''
      child.stdout.on('data', (d: Buffer) => { out += d.toString() })
      child.stderr.on('data', (d: Buffer) => { err += d.toString() })
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
      const code = await exited(child)
      clearTimeout(timer)
      assert.equal(code, 0, `exit code (stderr: ${err})`)
      // Status is each node's own health on this host (degraded when the machine is loaded).
      assert.match(out, /^web-1 self (healthy|degraded|unhealthy) 0$/m)
      assert.match(out, /^a alive (healthy|degraded|unhealthy) 0$/m)
      assert.match(out, /^b alive (healthy|degraded|unhealthy) 0$/m)
      assert.match(out, /^a joined$/m, 'the listener added before start() heard the join')
      assert.equal(err, '', 'silent by default')
    } finally {
      rmSync(app, { recursive: true, force: true })
    }
  })

  test('HTTP listener example: agent a restarted with --http-listen; the curl commands run as written', async () => {
    const [agentLine, ...curls] = commands(block('## HTTP listener and dashboard', 'sh'))
    assert.match(agentLine!, / agent .*--name a .*--http-listen 127\.0\.0\.1:9746/)
    assert.equal(curls.length, 3)
    const a = terminals.get('a')!
    ctrlC(a)
    await exited(a)
    terminals.set('a', terminal(agentLine!))
    const metrics = await waitFor('the listener serves /metrics', async () => {
      const r = await run(curls[0]!)
      return r.code === 0 && /^healthmon_/m.test(r.output) ? r.output : undefined
    }, 30_000)
    assert.match(metrics, /^# TYPE healthmon_\w+ \w+$/m)
    const health = await run(curls[1]!)
    assert.equal(health.code, 0, health.output)
    assert.match(health.output, /"status":"(healthy|degraded|unhealthy)"/)
    const post = await run(curls[2]!)
    assert.equal(post.code, 0, post.output)
    assert.match(post.output, /"code":"METHOD_NOT_ALLOWED"/)
  })

  test('after: the agents stop on Ctrl-C', async () => {
    for (const t of terminals.values()) ctrlC(t)
    for (const t of terminals.values()) await exited(t)
  })
})
