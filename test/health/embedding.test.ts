/**
 * The embedding API carries node health: checkHealth() gives this node's summary (cpu, memory,
 * disk, load) on a real monitor (real libp2p on 127.0.0.1, real /proc, real SQLite), and the
 * monitor's history database is in its data dir.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ConfigError } from '../../src/errors.ts'
import { createHealthMonitor } from '../../src/index.ts'

test('checkHealth() shows this node\'s status and resource summary', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hm-embed-health-'))
  const m = createHealthMonitor({ profile: 'local-test', name: 'solo', dataDir: join(dir, 'd'), socket: join(dir, 's.sock'), logLevel: 'silent', env: {}, serveApi: false })
  try {
    await m.start()
    const [self] = m.checkHealth()
    assert.equal(self!.state, 'self')
    assert.equal(self!.status, 'healthy')
    const s = self!.summary
    assert.ok(s !== null, 'sampled at start')
    assert.ok(s.memoryPercent !== null && s.memoryPercent > 0 && s.memoryPercent <= 100)
    assert.ok(s.diskPercent !== null && s.loadPerCore !== null)
    assert.deepEqual([s.checksFailing, s.failingChecks], [0, []])
    assert.ok(existsSync(join(dir, 'd', 'healthmon.db')))
  } finally {
    await m.stop({ leave: false })
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a malformed --expect address stops start-up with a config error naming the key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hm-embed-expect-'))
  try {
    // Checked with the rest of the config, before anything starts: JOIN_ADDRESS_INVALID, as for --join.
    assert.throws(
      () => createHealthMonitor({ profile: 'local-test', name: 'x', dataDir: join(dir, 'd'), logLevel: 'silent', env: {}, serveApi: false, expect: ['not an address'] }),
      (err: unknown) => err instanceof ConfigError && err.key === 'expect[0]' && err.code === 'JOIN_ADDRESS_INVALID' && /invalid join address "not an address"/.test(err.message)
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
