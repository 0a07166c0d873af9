/**
 * The HTTP listener of a real `healthmon agent` child process: what curl and Prometheus see.
 * /metrics is checked with Prometheus' own parser (promtool, from Debian's prometheus package)
 * where it is installed, and with a text-format parser always; writes are refused on any path;
 * a bind beyond loopback without a token, a malformed address and a short token each stop
 * start-up with exit 1 and one line naming the key and the rule.
 */
import assert from 'node:assert/strict'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { sleep, systemClock } from '../../src/runtime/clock.ts'
import { AgentChildren, cleanEnv, MAIN, type AgentRun } from '../cli/agent-children.ts'
import { ensureDashboardBuilt, freePort } from './browser.ts'

const PROMTOOL = '/usr/bin/promtool'
const TOKEN = 'f00dfeedf00dfeedf00dfeed'
const dir = mkdtempSync(join(tmpdir(), 'hm-http-'))
const clock = systemClock()
const children = new AgentChildren()
after(() => {
  children.killAll()
  rmSync(dir, { recursive: true, force: true })
})

const paths = (name: string): string[] => ['--data-dir', join(dir, name), '--socket', join(dir, `${name}.sock`), '--listen', '/ip4/127.0.0.1/tcp/0', '--profile', 'local-test']
const agentRun = (args: string[]): Promise<AgentRun> => children.run(args)

describe('healthmon agent --http-listen refuses what it cannot guard', { timeout: 60_000 }, () => {
  test('beyond loopback without a token: exit 1, HTTP_TOKEN_REQUIRED, naming the key and the fix', async () => {
    const run = await agentRun(['--http-listen', '0.0.0.0:0', ...paths('open')])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /^healthmon: invalid config: httpListen: 0\.0\.0\.0:0 is reachable from other hosts.*--http-token-file FILE.*--http-allow-unauthenticated.*\(from --http-listen\) \(HTTP_TOKEN_REQUIRED\)\n$/)
  })

  test('a malformed address names the rule', async () => {
    const run = await agentRun(['--http-listen', 'localhost', ...paths('bad')])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /httpListen: must be host:port, e\.g\. 127\.0\.0\.1:9746.*got "localhost"/)
  })

  test('a token file with a short token stops start-up naming httpTokenFile', async () => {
    const file = join(dir, 'short-token')
    writeFileSync(file, 'short\n', { mode: 0o600 })
    const run = await agentRun(['--http-listen', '127.0.0.1:0', '--http-token-file', file, ...paths('short')])
    assert.equal(run.code, 1)
    assert.match(run.stderr.trimEnd().split('\n').at(-1)!, /httpTokenFile: the token in .* must be at least 16 characters/)
  })

  test('a port in use stops start-up naming httpListen, and leaves no socket behind', async () => {
    const busy: Server = await new Promise((resolve) => { const server = createServer().listen(0, '127.0.0.1', () => resolve(server)) })
    const port = (busy.address() as AddressInfo).port
    try {
      const run = await agentRun(['--http-listen', `127.0.0.1:${port}`, ...paths('busy')])
      assert.equal(run.code, 1)
      assert.match(run.stderr.trimEnd().split('\n').at(-1)!, new RegExp(`httpListen: cannot listen on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`))
      assert.equal(existsSync(join(dir, 'busy.sock')), false, 'the socket was removed')
    } finally {
      busy.close()
    }
  })
})

describe('a running agent\'s HTTP listener', { timeout: 60_000 }, () => {
  let child: ChildProcess
  let base: string
  const tokenFile = join(dir, 'token')

  before(async () => {
    ensureDashboardBuilt()
    writeFileSync(tokenFile, `${TOKEN}\n`, { mode: 0o600 })
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    child = spawn(process.execPath, [MAIN, 'agent', '--name', 'web', '--http-listen', `127.0.0.1:${port}`, '--http-token-file', tokenFile, '--log-level', 'warn', ...paths('web')], { env: cleanEnv(), stdio: ['ignore', 'ignore', 'pipe'] })
    children.track(child.pid)
    const deadline = clock.now() + 20_000
    while (clock.now() < deadline) {
      const ok = await fetch(`${base}/v1/health`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.status < 500, () => false)
      if (ok) return
      await sleep(clock, 100)
    }
    throw new Error('the agent\'s HTTP listener did not answer within 20 s')
  })
  after(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      process.kill(child.pid, 'SIGTERM')
      await exited
    }
  })

  const auth = { authorization: `Bearer ${TOKEN}` }

  test('/metrics is valid Prometheus text exposition', async (t) => {
    const res = await fetch(`${base}/metrics`, { headers: auth })
    assert.equal(res.status, 200)
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/)
    const text = await res.text()
    const families = parsePrometheusTextFormat(text) as { name: string }[]
    assert.ok(families.some((f) => f.name.startsWith('healthmon_')), 'healthmon families present')
    if (!existsSync(PROMTOOL)) {
      t.diagnostic(`no ${PROMTOOL} (apt-get install prometheus): Prometheus' own parser not run`)
      return
    }
    const check = spawnSync(PROMTOOL, ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 })
    // Exit 3 is lint advice only (naming style of node_exporter-compatible names such as
    // node_memory_MemAvailable_bytes); a parse failure is exit 1 with "error while linting".
    assert.ok(check.status === 0 || check.status === 3, `promtool exit ${check.status}: ${check.stderr}`)
    assert.doesNotMatch(check.stderr + check.stdout, /error while linting|parsing error/)
  })

  test('writes are refused on every path, token or not', async () => {
    for (const path of ['/metrics', '/v1/view', '/v1/checks/web/pass', '/v1/silences', '/', '/anything']) {
      for (const method of ['POST', 'PUT', 'DELETE']) {
        const res = await fetch(`${base}${path}`, { method, headers: { ...auth, 'content-type': 'application/json' }, body: '{}' })
        assert.equal(res.status, 405, `${method} ${path}`)
        assert.equal(res.headers.get('allow'), 'GET, HEAD')
        await res.body?.cancel()
      }
    }
  })

  test('data needs the token; the dashboard page does not', async () => {
    const refused = await fetch(`${base}/v1/view`)
    assert.equal(refused.status, 401)
    await refused.body?.cancel()
    const view = await fetch(`${base}/v1/view`, { headers: auth })
    assert.equal(((await view.json()) as { self: { name: string } }).self.name, 'web')
    const page = await fetch(`${base}/`)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /<script type="module" src="app\.js"><\/script>/)
  })

  test('/metrics counts the listener\'s own requests apart from the socket\'s', async () => {
    const text = await (await fetch(`${base}/metrics`, { headers: auth })).text()
    const value = (name: string, route: string, statusClass: string): number => Number(new RegExp(`^${name}\\{route="${route}",status_class="${statusClass}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN)
    // The refused writes and the 401 above, on /v1/view; the 2xx view read.
    assert.ok(value('healthmon_http_requests_total', 'view', '4xx') >= 4, 'refused requests counted')
    assert.ok(value('healthmon_http_requests_total', 'view', '2xx') >= 1)
    assert.equal(value('healthmon_api_requests_total', 'view', '4xx'), 0, 'the socket saw none of them')
  })
})
