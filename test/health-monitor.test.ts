import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { ApiClient } from '../src/api/client.ts'
import { createHealthMonitor, HealthmonError, type AlertNotice, type ClusterView, type HealthMonitor, type PeerEvent } from '../src/index.ts'

/** The embedding API on real libp2p over 127.0.0.1, two monitors in this process. */
const dir = mkdtempSync(join(tmpdir(), 'hm-embed-'))
const monitors: HealthMonitor[] = []
after(async () => {
  await Promise.all(monitors.map((m) => m.stop({ leave: false }).catch(() => {})))
  rmSync(dir, { recursive: true, force: true })
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!predicate()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await sleep(50)
  }
}

function monitor(name: string, extra: Parameters<typeof createHealthMonitor>[0] = {}): HealthMonitor {
  const m = createHealthMonitor({
    profile: 'local-test', name, dataDir: join(dir, name), socket: join(dir, `${name}.sock`), logLevel: 'silent', env: {},
    heartbeatIntervalMs: 250, suspicionTimeoutMs: 1000, suspicionTimeoutMsMin: 250, ...extra
  })
  monitors.push(m)
  return m
}

test('createHealthMonitor: join, checkHealth, events, registerNode missing, graceful leave', { timeout: 60_000 }, async () => {
  const a = monitor('a')
  assert.throws(() => a.checkHealth(), (err: unknown) => err instanceof HealthmonError && err.code === 'NOT_STARTED')
  await a.start()
  const selfA = a.checkHealth('a')!
  assert.equal(selfA.state, 'self')
  const view = await new ApiClient(join(dir, 'a.sock')).get<ClusterView>('/v1/view')

  const b = monitor('b', { join: [view.self.addrs[0]!] })
  const joined: PeerEvent[] = []
  const left: PeerEvent[] = []
  a.on('peer:joined', (e) => joined.push(e))
  a.on('peer:left', (e) => left.push(e))
  // Registered before start: dialled once started. Port 1 on loopback never answers.
  b.registerNode('127.0.0.1:1')
  await b.start()

  // Alive (announced) first, then its own health once its first heartbeat arrives.
  await waitFor('a hears b', () => a.checkHealth('b')?.state === 'alive' && a.checkHealth('b')?.status === 'healthy')
  await waitFor('b sees a alive', () => b.checkHealth('a')?.state === 'alive')
  const bAtA = a.checkHealth('b')!
  assert.equal(bAtA.id, b.id)
  assert.equal(bAtA.status, 'healthy')
  assert.deepEqual({ agree: bAtA.metrics.observersAgree, total: bAtA.metrics.observersTotal }, { agree: 1, total: 1 })
  assert.ok(bAtA.metrics.phi !== null && bAtA.metrics.lastHeardMs !== null)
  assert.equal(bAtA.failureCount, 0)
  assert.ok(joined.some((e) => e.peer === b.id), 'peer:joined fired')

  await waitFor('the registered address is reported missing', () => b.checkHealth().some((h) => h.state === 'missing'))
  const missing = b.checkHealth().find((h) => h.state === 'missing')!
  assert.match(missing.id, /127\.0\.0\.1/)

  const all = a.checkHealth()
  assert.equal(all[0]!.state, 'self')
  assert.equal(all.length, 2)

  await b.stop()
  await waitFor('a sees b left', () => a.checkHealth('b')?.state === 'left')
  assert.ok(left.some((e) => e.peer === b.id), 'peer:left fired')
  assert.ok(a.checkHealth('b')!.alerts.some((alert) => alert.to === 'left'), 'the alert log has the leave')
})

test('listeners added before start() hear the events; registerNode refuses an unparsable address', { timeout: 60_000 }, async () => {
  const a = monitor('pre-a')
  const joined: PeerEvent[] = []
  a.on('peer:joined', (e) => joined.push(e))
  const unsubscribe = a.on('peer:left', () => assert.fail('unsubscribed listener called'))
  unsubscribe()
  assert.throws(() => a.registerNode('garbage'), (err: unknown) => err instanceof HealthmonError && err.code === 'JOIN_ADDRESS_INVALID')
  await a.start()
  const addr = (await new ApiClient(join(dir, 'pre-a.sock')).get<ClusterView>('/v1/view')).self.addrs[0]!
  const port = /\/tcp\/(\d+)/.exec(addr)![1]
  // host:port, as the README's embedding example writes it.
  const b = monitor('pre-b', { join: [`127.0.0.1:${port}`] })
  await b.start()
  await waitFor('a hears b join', () => joined.some((e) => e.peer === b.id))
  await b.stop()
})

test('an embedded monitor is silent by default and lets its host process exit after stop()', { timeout: 60_000 }, async () => {
  const script = join(dir, 'host-app.ts')
  const index = new URL('../src/index.ts', import.meta.url).href
  writeFileSync(script, `
import { createHealthMonitor } from ${JSON.stringify(index)}
const monitor = createHealthMonitor({ profile: 'local-test', name: 'host', env: {}, dataDir: ${JSON.stringify(join(dir, 'host'))}, socket: ${JSON.stringify(join(dir, 'host.sock'))} })
await monitor.start()
await monitor.stop()
process.stdout.write('stopped\\n')
`)
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'] })
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout.on('data', (d: Buffer) => out.push(d))
  child.stderr.on('data', (d: Buffer) => err.push(d))
  // The host exits by itself once stop() resolved: no timer, socket or handle is left behind.
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
  clearTimeout(killer)
  assert.equal(code, 0, Buffer.concat(err).toString())
  assert.equal(Buffer.concat(out).toString(), 'stopped\n', 'nothing but the host\'s own output on stdout')
  assert.equal(Buffer.concat(err).toString(), '', 'nothing on stderr')
})

test('onAlert, subscribed before start(): the PeerMissing alert of an expected member that never answers fires; a throwing listener before it changes nothing for the next', { timeout: 60_000 }, async () => {
  const m = monitor('alerting', { expect: ['127.0.0.1:1'], alertEvaluationIntervalMs: 200, suspicionTimeoutMs: 300, suspicionTimeoutMsMin: 100, antiEntropyIntervalMs: 500 })
  const notices: AlertNotice[] = []
  m.onAlert(() => { throw new Error('an embedder bug') })
  m.onAlert((n) => { notices.push(n) })
  await m.start()
  await waitFor('the PeerMissing alert fires', () => notices.some((n) => n.kind === 'transition' && n.transition.alert.rule === 'PeerMissing' && n.transition.alert.state === 'firing'), 20_000)
  const firing = notices.find((n) => n.kind === 'transition' && n.transition.type === 'alert:firing')
  assert.ok(firing !== undefined && firing.kind === 'transition')
  assert.equal(firing.transition.alert.severity, 'warning')
})
