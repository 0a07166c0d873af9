import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { freePort } from '../../src/sim/free-port.ts'
import { ApiClient } from '../../src/api/client.ts'
import type { SelfView } from '../../src/api/protocol.ts'
import { AGENT_NODE_FLAGS } from '../../src/cli/agent-heap.ts'

/**
 * The package as users get it: `npm pack`, then `npm install -g` of the tarball into a temporary
 * prefix, and `npm install` of it into an app. The bin and the library must run from
 * node_modules on Node 24 (type stripping refuses .ts there, so this proves the build), the
 * tarball must hold only what runs, and an older Node must get one line naming the version.
 * Dependencies come from the npm cache that `npm ci` filled (--prefer-offline).
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const NODE24_BIN = dirname(process.execPath)
const exec = promisify(execFile)
const work = mkdtempSync(join(tmpdir(), 'hm-package-'))
const children: ChildProcess[] = []
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  rmSync(work, { recursive: true, force: true })
})

/** PATH with the installed prefix first, then Node 24, then the rest. */
const pathWith = (...dirs: string[]) => [...dirs, NODE24_BIN, process.env['PATH'] ?? ''].join(delimiter)

describe('the installable package', { timeout: 300_000, concurrency: false }, () => {
  let tarball = ''

  test('npm pack: the tarball holds only runtime files', async () => {
    // --ignore-scripts: `npm test` built dist/ already, and a rebuild here (prepare) would pull
    // dist/ from under the tests that run meanwhile.
    const { stdout } = await exec('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: ROOT, env: { ...process.env, PATH: pathWith() }, maxBuffer: 16 << 20 })
    const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[]
    tarball = join(work, info!.filename)
    const paths = info!.files.map((f) => f.path)
    const stray = paths.filter((p) => !p.startsWith('dist/') && p !== 'README.md' && p !== 'package.json')
    assert.deepEqual(stray, [], 'nothing but dist/, README.md and package.json')
    for (const needed of ['dist/cli/healthmon.js', 'dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts', 'dist/daemon.js', 'dist/dashboard/web/index.html', 'dist/dashboard/web/app.js', 'dist/dashboard/web/app.css']) assert.ok(paths.includes(needed), `ships ${needed}`)
    assert.ok(!paths.some((p) => p.endsWith('.ts') && !p.endsWith('.d.ts')), 'no TypeScript sources')
    assert.ok(!paths.some((p) => p.startsWith('dist/sim/')), 'no simulator')
  })

  test('npm install -g into a prefix: healthmon --help, agent, status and the dashboard work on Node 24', async () => {
    const prefix = join(work, 'prefix')
    const env = { ...process.env, PATH: pathWith(join(prefix, 'bin')), HEALTHMON_SOCKET: '' }
    await exec('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: work, env, maxBuffer: 16 << 20 })
    const help = await exec('healthmon', ['--help'], { cwd: work, env })
    assert.match(help.stdout, /Usage: healthmon/)
    assert.match(help.stdout, /agent/)

    const socket = join(work, 'g.sock')
    const httpPort = await freePort()
    const agent = spawn('healthmon', ['agent', '--name', 'global', '--listen', '/ip4/127.0.0.1/tcp/0', '--data-dir', join(work, 'g'), '--socket', socket, '--http-listen', `127.0.0.1:${httpPort}`], { cwd: work, env, stdio: ['ignore', 'ignore', 'pipe'] })
    children.push(agent)
    let log = ''
    agent.stderr!.on('data', (d: Buffer) => { log += d.toString() })
    const deadline = performance.now() + 30_000
    let self: SelfView | undefined
    while (self === undefined && performance.now() < deadline) {
      self = await new ApiClient(socket).get<SelfView>('/v1/self').catch(() => undefined)
      if (self === undefined) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.ok(self !== undefined, `the installed agent answered on its socket; log: ${log}`)
    assert.equal(self.pid, agent.pid, 'the agent re-executed itself in place (same pid) to set its heap flags')
    const argv = readFileSync(`/proc/${agent.pid}/cmdline`, 'utf8').split('\0')
    for (const flag of AGENT_NODE_FLAGS) assert.ok(argv.includes(flag), `the heap flag ${flag} is applied however launched: ${argv.join(' ')}`)
    const status = await exec('healthmon', ['status', '--socket', socket], { cwd: work, env })
    assert.match(status.stdout, /^global \(/)
    // The dashboard bundle shipped in dist/ is what the installed agent serves.
    const page = await fetch(`http://127.0.0.1:${httpPort}/app.js`)
    assert.equal(page.status, 200)
    assert.ok((await page.text()).length > 10_000, 'the bundled dashboard script')
    agent.kill('SIGTERM')
    const code = await new Promise<number | null>((resolve) => agent.once('exit', (c) => resolve(c)))
    assert.equal(code, 0)
  })

  test('an app that installs the package imports it by name, with types', async () => {
    const app = join(work, 'app')
    mkdirSync(app)
    writeFileSync(join(app, 'package.json'), '{"name":"app","private":true,"type":"module"}\n')
    const env = { ...process.env, PATH: pathWith() }
    await exec('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: app, env, maxBuffer: 16 << 20 })
    writeFileSync(join(app, 'index.ts'), [
      "import { createHealthMonitor, type HealthStatus } from 'healthmon'",
      "const monitor = createHealthMonitor({ name: 'app', listen: ['/ip4/127.0.0.1/tcp/0'], dataDir: 'state', socket: 'state/hm.sock' })",
      'await monitor.start()',
      'const all: HealthStatus[] = monitor.checkHealth()',
      'console.log(all[0]!.name, all[0]!.state)',
      'await monitor.stop()',
      ''
    ].join('\n'))
    const run = await exec(process.execPath, ['index.ts'], { cwd: app, env, timeout: 60_000 })
    assert.equal(run.stdout, 'app self\n')
    assert.equal(run.stderr, '')
    // The package's own types resolve by name under the strictest module resolution.
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
    await exec(process.execPath, [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2024', '--allowImportingTsExtensions', '--skipLibCheck', '--types', 'node', '--typeRoots', join(ROOT, 'node_modules', '@types'), 'index.ts'], { cwd: app, env })
    assert.ok(readdirSync(join(app, 'node_modules', 'healthmon', 'dist')).includes('index.d.ts'))
  })

  test('on an older Node the bin prints one line naming the version it needs', async (t) => {
    const older = await exec('/usr/bin/node', ['--version']).then((r) => r.stdout.trim(), () => undefined)
    if (older === undefined || Number(/^v(\d+)/.exec(older)?.[1]) >= 24) {
      t.skip(`no Node.js older than 24 at /usr/bin/node (found ${older ?? 'none'})`)
      return
    }
    const result = await exec('/usr/bin/node', [join(work, 'prefix', 'lib', 'node_modules', 'healthmon', 'dist', 'cli', 'healthmon.js'), '--help']).then(
      () => assert.fail('should exit 1'),
      (err: { code: number; stdout: string; stderr: string }) => err
    )
    assert.equal(result.code, 1)
    assert.equal(result.stdout, '')
    assert.match(result.stderr, /^healthmon: needs Node\.js 24 or newer, but \/usr\/bin\/node is Node\.js 20\.\d+\.\d+\n$/)
  })
})
