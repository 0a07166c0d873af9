/**
 * The agent under systemd: the README's unit passes `systemd-analyze verify`, and a real agent
 * process speaks the notify protocol to a real unix datagram socket (a Perl receiver, as
 * systemd's own socket is one): READY=1 once it serves, WATCHDOG=1 at half of WATCHDOG_USEC,
 * STOPPING=1 on SIGTERM, then a clean exit.
 */
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const MAIN = join(ROOT, 'src', 'cli', 'main.ts')
const dir = mkdtempSync(join(tmpdir(), 'hm-systemd-'))
const children: ChildProcess[] = []
after(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
})

const RECEIVER = 'use Socket; socket(my $s, PF_UNIX, SOCK_DGRAM, 0) or die "socket: $!"; bind($s, sockaddr_un($ARGV[0])) or die "bind: $!"; $| = 1; print "bound\\n"; while (defined(recv($s, my $m, 4096, 0))) { $m =~ s/\\n/|/g; print "$m\\n"; }'

describe('systemd', { timeout: 60_000 }, () => {
  test("the README's unit passes systemd-analyze verify", async (t) => {
    if (!existsSync('/usr/bin/systemd-analyze')) {
      t.skip('systemd-analyze is not installed here')
      return
    }
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
    const at = readme.indexOf('### Running under systemd\n')
    assert.ok(at >= 0, 'README has the systemd section')
    const open = readme.indexOf('```ini\n', at)
    const unit = readme.slice(open + 7, readme.indexOf('\n```', open + 7))
    assert.match(unit, /^Type=notify$/m)
    assert.match(unit, /^NotifyAccess=all$/m)
    assert.match(unit, /^ExecStart=\/usr\/local\/bin\/healthmon agent/m)
    // verify checks that ExecStart's program exists: point it at this checkout's built bin.
    const file = join(dir, 'healthmon.service')
    writeFileSync(file, unit.replace('/usr/local/bin/healthmon', join(ROOT, 'dist', 'cli', 'healthmon.js')))
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile('/usr/bin/systemd-analyze', ['verify', file], (error, _stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code), stderr }))
    })
    assert.equal(result.stderr, '', 'no unknown keys, no bad values')
    assert.equal(result.code, 0)
  })

  test('READY=1 once serving, WATCHDOG=1 every half period, STOPPING=1 on SIGTERM', async () => {
    const notifySocket = join(dir, 'notify.sock')
    const receiver = spawn('perl', ['-e', RECEIVER, notifySocket], { stdio: ['ignore', 'pipe', 'inherit'] })
    children.push(receiver)
    const lines: string[] = []
    let pending = ''
    receiver.stdout!.on('data', (d: Buffer) => {
      pending += d.toString()
      const parts = pending.split('\n')
      pending = parts.pop()!
      lines.push(...parts)
    })
    const waitFor = async (what: string, predicate: () => boolean, timeoutMs: number): Promise<void> => {
      const deadline = performance.now() + timeoutMs
      while (!predicate()) {
        if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}; received: ${JSON.stringify(lines)}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }
    await waitFor('the receiver to bind', () => lines.includes('bound'), 10_000)

    const env: NodeJS.ProcessEnv = { ...process.env, NOTIFY_SOCKET: notifySocket, WATCHDOG_USEC: '400000' }
    for (const key of Object.keys(env)) if (key.startsWith('HEALTHMON_')) delete env[key]
    const agent = spawn(process.execPath, [MAIN, 'agent', '--profile', 'local-test', '--log-level', 'warn', '--data-dir', join(dir, 'data'), '--socket', join(dir, 'agent.sock')], { env, stdio: 'ignore' })
    children.push(agent)
    await waitFor('READY=1', () => lines.some((l) => l.startsWith('READY=1|')), 30_000)
    const ready = lines.find((l) => l.startsWith('READY=1|'))!
    assert.match(ready, new RegExp(`^READY=1\\|MAINPID=${agent.pid}\\|STATUS=serving on /ip4/127\\.0\\.0\\.1/tcp/\\d+/p2p/\\w+; socket `))
    const readyAt = lines.indexOf(ready)
    await waitFor('three watchdog pings', () => lines.slice(readyAt).filter((l) => l === 'WATCHDOG=1').length >= 3, 10_000)
    agent.kill('SIGTERM')
    const code = await new Promise<number | null>((resolve) => agent.once('exit', (c) => resolve(c)))
    assert.equal(code, 0)
    await waitFor('STOPPING=1', () => lines.includes('STOPPING=1'), 5000)
    assert.ok(lines.indexOf('STOPPING=1') > readyAt)
  })
})
