import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { ConfigError } from '../../src/errors.ts'
import { loadConfig } from '../../src/config/index.ts'
import { closestName } from '../../src/config/suggest.ts'
import { listensBeyondLoopback } from '../../src/config/loopback.ts'

const pathEnv = { env: {}, isRoot: false, home: '/home/u' }
const load = (sources: Parameters<typeof loadConfig>[0] = {}) => loadConfig({ env: {}, pathEnv, ...sources })

function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`)
    return err
  }
  assert.fail('expected a ConfigError')
}

describe('config errors a newcomer can act on', () => {
  test('every problem is reported at once, each with its key, rule and source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hm-config-'))
    const file = join(dir, 'agent.yaml')
    writeFileSync(file, 'heartbeatIntervalMS: 500\nprobeTimeoutMs: 1\n')
    const err = configError(() => load({
      configFile: file,
      flagStyle: 'cli',
      env: { HEALTHMON_SUSPICION_TIMEOUT_MS: 'soon' },
      flags: { cluster: 'has space' }
    }))
    assert.equal(err.code, 'CONFIG_INVALID')
    const byKey = new Map(err.problems.map((p) => [p.key, p]))
    assert.deepEqual([...byKey.keys()].sort(), ['cluster', 'heartbeatIntervalMS', 'probeTimeoutMs', 'suspicionTimeoutMs'])
    assert.equal(byKey.get('heartbeatIntervalMS')!.source, `config file ${file}`)
    assert.match(byKey.get('heartbeatIntervalMS')!.rule, /did you mean heartbeatIntervalMs\?/)
    assert.equal(byKey.get('probeTimeoutMs')!.source, `config file ${file}`)
    assert.equal(byKey.get('suspicionTimeoutMs')!.source, 'HEALTHMON_SUSPICION_TIMEOUT_MS')
    assert.equal(byKey.get('cluster')!.source, '--cluster')
    assert.match(err.message, /^invalid config: 4 problems: /)
    for (const key of byKey.keys()) assert.ok(err.message.includes(key), `the message names ${key}`)
  })

  test('a single problem reads as before: key, rule, source', () => {
    const err = configError(() => load({ flags: { heartbeatIntervalMs: 10 }, flagStyle: 'cli' }))
    assert.equal(err.key, 'heartbeatIntervalMs')
    assert.match(err.message, /^invalid config: heartbeatIntervalMs: .* \(from --heartbeat-interval-ms\)$/)
  })

  test('an unknown HEALTHMON_* variable is a warning with a suggestion, not an error', () => {
    const warnings: string[] = []
    const c = load({ env: { HEALTHMON_HEARTBEAT_INTERVAL: '500', HEALTHMON_SOCKET: '/x.sock', HEALTHMON_CLUSTER: 'c' }, warn: (w) => warnings.push(w) })
    assert.equal(c.heartbeatIntervalMs, 1000)
    assert.deepEqual(warnings, ['ignoring unknown environment variable HEALTHMON_HEARTBEAT_INTERVAL; did you mean HEALTHMON_HEARTBEAT_INTERVAL_MS?'])
  })

  test('join addresses are checked at start-up: JOIN_ADDRESS_INVALID names each bad one', () => {
    const err = configError(() => load({ flags: { join: ['127.0.0.1:7946', 'garbage', '/ip4/1.2.3.4/udp/1'] } }))
    assert.equal(err.code, 'JOIN_ADDRESS_INVALID')
    assert.deepEqual(err.problems.map((p) => p.key), ['join[1]', 'join[2]'])
    assert.match(err.message, /"garbage": no port given/)
    assert.doesNotThrow(() => load({ flags: { join: ['127.0.0.1:7946', '[::1]:7946', 'node1.example:7946', '/ip4/10.0.0.1/tcp/7946', '/dns/node1.example/tcp/7946'] } }))
  })

  test('a listen address that is not a multiaddr names the key and shows the form', () => {
    const err = configError(() => load({ flags: { listen: ['127.0.0.1:7946'] } }))
    assert.equal(err.key, 'listen[0]')
    assert.match(err.rule, /is not a multiaddr .*write it like \/ip4\/127\.0\.0\.1\/tcp\/7946/)
  })

  test('closed by default: beyond loopback needs a cluster key or allowOpenCluster', () => {
    assert.deepEqual(load().listen, ['/ip4/127.0.0.1/tcp/7946'], 'the default listens on loopback only')
    const err = configError(() => load({ flags: { listen: ['/ip4/0.0.0.0/tcp/7946'] } }))
    assert.equal(err.code, 'CLUSTER_KEY_REQUIRED')
    assert.match(err.message, /healthmon keygen/)
    assert.match(err.message, /--cluster-key-file/)
    assert.match(err.message, /allowOpenCluster/)
    assert.doesNotThrow(() => load({ flags: { listen: ['/ip4/0.0.0.0/tcp/7946'], clusterKeyFile: '/etc/healthmon/cluster.key' } }))
    assert.doesNotThrow(() => load({ flags: { listen: ['/ip4/0.0.0.0/tcp/7946'], allowOpenCluster: true } }))
    assert.doesNotThrow(() => load({ env: { HEALTHMON_LISTEN: '/ip4/10.1.2.3/tcp/7946', HEALTHMON_ALLOW_OPEN_CLUSTER: 'true' } }))
  })

  test('loopback detection', () => {
    assert.equal(listensBeyondLoopback(['/ip4/127.0.0.1/tcp/0', '/ip6/::1/tcp/7946', '/dns/localhost/tcp/1']), undefined)
    assert.equal(listensBeyondLoopback(['/ip4/127.0.0.1/tcp/0', '/ip6/::/tcp/7946']), '/ip6/::/tcp/7946')
    assert.equal(listensBeyondLoopback(['/ip4/1270.0.0.1/tcp/1']), '/ip4/1270.0.0.1/tcp/1')
  })

  test('did you mean: near names only', () => {
    const known = ['heartbeatIntervalMs', 'probeTimeoutMs', 'join']
    assert.equal(closestName('heartbeatIntervalMS', known), 'heartbeatIntervalMs')
    assert.equal(closestName('probeTimoutMs', known), 'probeTimeoutMs')
    assert.equal(closestName('jion', known), 'join')
    assert.equal(closestName('colour', known), undefined)
  })
})
