import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { systemClock, sleep } from '../../src/runtime/clock.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { AlertmanagerPusher } from '../../src/notify/alertmanager-push.ts'
import { fingerprint } from '../../src/alerts/labels.ts'
import { alert } from '../alerts/fixtures.ts'

/**
 * Against a real Alertmanager process on 127.0.0.1 (Debian's prometheus-alertmanager; .ci/run
 * installs it). Skipped, saying so, where the binary is absent.
 */
const BINARY = ['/usr/bin/prometheus-alertmanager', '/usr/local/bin/alertmanager', '/usr/bin/alertmanager'].find((p) => existsSync(p))
const skip = BINARY === undefined ? 'no Alertmanager binary (apt-get install prometheus-alertmanager)' : false

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

const clock = systemClock()

/** Polls `fn` every 100 ms until it returns a value, at most `ms` long. */
async function until<T>(what: string, ms: number, fn: () => Promise<T | undefined>): Promise<T> {
  for (let waited = 0; waited <= ms; waited += 100) {
    const value = await fn().catch(() => undefined)
    if (value !== undefined) return value
    await sleep(clock, 100)
  }
  throw new Error(`timed out waiting for ${what}`)
}

interface ApiAlert { labels: Record<string, string>; annotations: Record<string, string>; fingerprint: string; startsAt: string; endsAt: string; status: { state: string } }

describe('Alertmanager push (real Alertmanager on 127.0.0.1)', { skip }, () => {
  let dir = ''
  let child: ChildProcess | undefined
  let base = ''

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'healthmon-am-'))
    await writeFile(join(dir, 'am.yml'), 'route:\n  receiver: blackhole\nreceivers:\n  - name: blackhole\n')
    const port = await freePort()
    base = `http://127.0.0.1:${port}/`
    child = spawn(BINARY!, [`--config.file=${join(dir, 'am.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'], { stdio: 'ignore' })
    await until('Alertmanager ready', 20_000, async () => ((await fetch(`${base}-/ready`)).ok ? true : undefined))
  })

  after(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve))
      process.kill(child.pid, 'SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  })

  test('firing alerts arrive with our labels and the same fingerprint; resolved ones leave', async () => {
    const pusher = new AlertmanagerPusher({ urls: [base], clock, random: seededRandom(1), logger: silentLogger(), queueLengthMax: 10, timeoutMs: 5_000, attemptsMax: 3 })
    const now = clock.now()
    const firing = [alert('PeerDead', 'web-1', 'firing', now - 60_000), alert('PeerDead', 'web-2', 'firing', now - 60_000)]
    assert.equal(pusher.send(firing), 2)
    await pusher.idle()
    assert.equal(pusher.stats()[0]!.delivered, 1)
    const listed = await until('two alerts listed', 10_000, async () => {
      const alerts = (await (await fetch(`${base}api/v2/alerts`)).json()) as ApiAlert[]
      return alerts.length === 2 ? alerts : undefined
    })
    const web1 = listed.find((a) => a.labels.peer === 'web-1')!
    assert.deepEqual(web1.labels, firing[0]!.labels)
    assert.equal(web1.fingerprint, fingerprint(firing[0]!.labels)) // our fingerprint is Alertmanager's
    assert.equal(web1.status.state, 'active')
    assert.equal(web1.annotations.summary, 'PeerDead web-1')

    const resolvedAt = clock.now() - 1_000
    pusher.send([alert('PeerDead', 'web-1', 'resolved', now - 60_000, resolvedAt), firing[1]!])
    await pusher.idle()
    const left = await until('web-1 resolved', 10_000, async () => {
      const alerts = (await (await fetch(`${base}api/v2/alerts`)).json()) as ApiAlert[]
      return alerts.length === 1 ? alerts : undefined
    })
    assert.equal(left[0]!.labels.peer, 'web-2')
    pusher.stop()
  })
})
