import { test, describe, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, stat, writeFile, readFile, mkdir, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { loadOrCreateNodeKey, loadClusterKey, generateClusterKey, NODE_KEY_FILE } from '../../src/transport/node-key.ts'
import { HealthmonError } from '../../src/errors.ts'

describe('node key', async () => {
  const root = await mkdtemp(join(tmpdir(), 'healthmon-node-key-'))
  after(() => rm(root, { recursive: true, force: true }))

  test('created on first start: data dir 0700, key file 0600, Ed25519', async () => {
    const dir = join(root, 'fresh', 'nested')
    const key = await loadOrCreateNodeKey(dir)
    assert.equal(key.type, 'Ed25519')
    assert.equal((await stat(dir)).mode & 0o777, 0o700)
    assert.equal((await stat(join(dir, NODE_KEY_FILE))).mode & 0o777, 0o600)
  })

  test('the same peer id when loaded again', async () => {
    const dir = join(root, 'stable')
    const first = peerIdFromPrivateKey(await loadOrCreateNodeKey(dir)).toString()
    const again = peerIdFromPrivateKey(await loadOrCreateNodeKey(dir)).toString()
    assert.equal(again, first)
  })

  test('concurrent first starts agree on one key', async () => {
    const dir = join(root, 'race')
    const keys = await Promise.all([loadOrCreateNodeKey(dir), loadOrCreateNodeKey(dir)])
    assert.equal(peerIdFromPrivateKey(keys[0]).toString(), peerIdFromPrivateKey(keys[1]).toString())
  })

  test('an existing data dir keeps its permissions', async () => {
    const dir = join(root, 'existing')
    await mkdir(dir, { mode: 0o750 })
    await chmod(dir, 0o750)
    await loadOrCreateNodeKey(dir)
    assert.equal((await stat(dir)).mode & 0o777, 0o750)
  })

  test('a corrupt key file is an error naming the file, and is left as it was', async () => {
    const dir = join(root, 'corrupt')
    await mkdir(dir)
    const path = join(dir, NODE_KEY_FILE)
    await writeFile(path, 'not a key')
    await assert.rejects(loadOrCreateNodeKey(dir), (err: unknown) => {
      assert.ok(err instanceof HealthmonError)
      assert.ok(err.message.includes(path), err.message)
      return true
    })
    assert.equal(await readFile(path, 'utf8'), 'not a key')
  })
})

describe('cluster key', async () => {
  const root = await mkdtemp(join(tmpdir(), 'healthmon-cluster-key-'))
  after(() => rm(root, { recursive: true, force: true }))

  test('a generated key is in the pnet file format and loads back', async () => {
    const key = generateClusterKey()
    assert.match(new TextDecoder().decode(key), /^\/key\/swarm\/psk\/1\.0\.0\/\n\/base16\/\n[0-9a-f]{64}$/)
    assert.notDeepEqual(generateClusterKey(), key)
    const path = join(root, 'swarm.key')
    await writeFile(path, key, { mode: 0o600 })
    assert.deepEqual(new Uint8Array(loadClusterKey(path)), key)
  })

  test('a malformed or missing key file is a config error naming the file', async () => {
    const cases: Record<string, string> = {
      'short.key': '/key/swarm/psk/1.0.0/\n/base16/\nabcd',
      'tag.key': '/key/other/1.0.0/\n/base16/\n' + 'ab'.repeat(32),
      'hex.key': '/key/swarm/psk/1.0.0/\n/base16/\n' + 'zz'.repeat(32)
    }
    for (const [name, content] of Object.entries(cases)) {
      const path = join(root, name)
      await writeFile(path, content)
      assert.throws(() => loadClusterKey(path), (err: unknown) => {
        assert.ok(err instanceof HealthmonError && err.code === 'CONFIG_INVALID')
        assert.ok(err.message.includes(path) && err.message.includes('clusterKeyFile'), err.message)
        return true
      })
    }
    assert.throws(() => loadClusterKey(join(root, 'missing.key')), /clusterKeyFile/)
  })
})
