import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ApiClient } from '../../src/api/client.ts'
import { createHealthMonitor, type ClusterView, type HealthMonitor } from '../../src/index.ts'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'hm-key-'))
const monitors: HealthMonitor[] = []
after(async () => {
  await Promise.all(monitors.map((m) => m.stop({ leave: false }).catch(() => {})))
  rmSync(dir, { recursive: true, force: true })
})

const keygen = (file: string) => spawnSync(process.execPath, [MAIN, 'keygen', file], { encoding: 'utf8', timeout: 15_000 })
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

test('keygen writes a 0600 pre-shared key once; agents holding it connect, an agent without it cannot', { timeout: 60_000 }, async () => {
  const key = join(dir, 'cluster.key')
  const first = keygen(key)
  assert.equal(first.status, 0, first.stderr)
  assert.equal(statSync(key).mode & 0o777, 0o600)
  const bytes = readFileSync(key)
  assert.match(bytes.toString('utf8'), /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}$/)
  const again = keygen(key)
  assert.equal(again.status, 1)
  assert.match(again.stderr, /already exists/)
  assert.deepEqual(readFileSync(key), bytes, 'the existing key is untouched')
  const otherKey = join(dir, 'other.key')
  assert.equal(keygen(otherKey).status, 0)

  const monitor = (name: string, clusterKeyFile: string, join?: string) => {
    const m = createHealthMonitor({
      profile: 'local-test', name, dataDir: `${dir}/${name}`, socket: `${dir}/${name}.sock`, logLevel: 'silent', env: {},
      clusterKeyFile, ...(join === undefined ? {} : { join: [join] })
    })
    monitors.push(m)
    return m
  }
  const a = monitor('a', key)
  await a.start()
  const addr = (await new ApiClient(`${dir}/a.sock`).get<ClusterView>('/v1/view')).self.addrs[0]!
  const b = monitor('b', key, addr)
  const outsider = monitor('c', otherKey, addr)
  await b.start()
  await outsider.start()
  const deadline = performance.now() + 20_000
  while (a.checkHealth('b')?.state !== 'alive' && performance.now() < deadline) await sleep(50)
  assert.equal(a.checkHealth('b')?.state, 'alive', 'holders of the same key form a cluster')
  await sleep(1000)
  assert.equal(a.checkHealth('c'), undefined, 'the node with another key is not a member')
  assert.deepEqual(outsider.checkHealth().map((h) => h.state), ['self'], 'and it knows nobody')
})
