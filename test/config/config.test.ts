import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { ConfigError, HealthmonError } from '../../src/errors.ts'
import { defaultConfig, envName, loadConfig } from '../../src/config/index.ts'

const pathEnv = { env: {}, isRoot: false, home: '/home/u' }
const load = (sources: Parameters<typeof loadConfig>[0] = {}) => loadConfig({ env: {}, pathEnv, ...sources })

describe('config', () => {
  test('embedded defaults alone are valid, frozen, with paths resolved', () => {
    const c = load()
    assert.equal(c.profile, 'lan')
    assert.equal(c.heartbeatIntervalMs, 1000)
    assert.equal(c.dataDir, '/home/u/.local/state/healthmon/default')
    assert.equal(c.socket, '/home/u/.local/state/healthmon/default/healthmon.sock')
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.listen))
  })

  test('precedence: defaults <- profile <- file <- env <- flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hm-config-'))
    const file = join(dir, 'c.yaml')
    writeFileSync(file, 'profile: local-test\nheartbeatIntervalMs: 700\nname: from-file\ncluster: filec\n')
    const c = load({ configFile: file, env: { HEALTHMON_HEARTBEAT_INTERVAL_MS: '600', HEALTHMON_NAME: 'from-env' }, flags: { name: 'from-flag' } })
    assert.equal(c.listen[0], '/ip4/127.0.0.1/tcp/0', 'profile value')
    assert.equal(c.cluster, 'filec', 'file value')
    assert.equal(c.heartbeatIntervalMs, 600, 'env beats file')
    assert.equal(c.name, 'from-flag', 'flag beats env')
  })

  test('env names are the unit-suffixed keys in upper snake case; lists are comma-separated', () => {
    assert.equal(envName('heartbeatIntervalMs'), 'HEALTHMON_HEARTBEAT_INTERVAL_MS')
    const c = load({ env: { HEALTHMON_JOIN: 'a:1, b:2', HEALTHMON_GOSSIP_IP_COLOCATION_PENALTY: 'false' } })
    assert.deepEqual(c.join, ['a:1', 'b:2'])
    assert.equal(c.gossipIpColocationPenalty, false)
  })

  test('XDG and root path rules', () => {
    const xdg = loadConfig({ env: {}, pathEnv: { env: { XDG_RUNTIME_DIR: '/run/user/1', XDG_STATE_HOME: '/s' }, isRoot: false, home: '/h' } })
    assert.equal(xdg.socket, '/run/user/1/healthmon/default.sock')
    assert.equal(xdg.dataDir, '/s/healthmon/default')
    const root = loadConfig({ env: {}, pathEnv: { env: {}, isRoot: true, home: '/root' } })
    assert.equal(root.socket, '/run/healthmon/default.sock')
    assert.equal(root.dataDir, '/var/lib/healthmon/default')
  })

  const bad: [string, Parameters<typeof loadConfig>[0], string][] = [
    ['a heartbeat below the minimum', { flags: { heartbeatIntervalMs: 10 } }, 'heartbeatIntervalMs'],
    ['a non-numeric env value', { env: { HEALTHMON_HEARTBEAT_INTERVAL_MS: 'fast' } }, 'heartbeatIntervalMs'],
    ['an invalid cluster name', { flags: { cluster: 'has space' } }, 'cluster'],
    ['min above max', { flags: { suspicionTimeoutMsMin: 5000, suspicionTimeoutMs: 1000 } }, 'suspicionTimeoutMsMin'],
    ['an unknown option', { flags: { heartbeatIntervalMS: 5 } as never }, 'heartbeatIntervalMS'],
    ['an unknown profile', { flags: { profile: 'moon' as never } }, 'profile']
  ]
  for (const [what, sources, key] of bad) {
    test(`stops on ${what}, naming the key`, () => {
      assert.throws(() => load(sources), (err: unknown) => err instanceof ConfigError && err.key === key && err.message.includes(key))
    })
  }

  test('an unreadable config file is its own error', () => {
    assert.throws(() => load({ configFile: '/nonexistent/healthmon.yaml' }), (err: unknown) => err instanceof HealthmonError && err.code === 'CONFIG_FILE_UNREADABLE')
  })

  test('every default passes the schema (the defaults object is complete)', () => {
    assert.doesNotThrow(() => load({ flags: defaultConfig() }))
  })
})
