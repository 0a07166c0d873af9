/** The node health options: defaults (node-mixin thresholds), env parsing, and the rules between them. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadConfig } from '../../src/config/load.ts'
import { ConfigError } from '../../src/errors.ts'

const pathEnv = { env: {}, isRoot: false, home: '/home/u' }
const load = (sources: Parameters<typeof loadConfig>[0] = {}) => loadConfig({ env: {}, pathEnv, ...sources })

describe('node health config', () => {
  test('defaults: 10 s sampling, node-mixin thresholds, history on with 30 s flushes, no expected members', () => {
    const c = load()
    assert.deepEqual(
      [c.healthSampleIntervalMs, c.diskFreePercentWarning, c.diskFreePercentCritical, c.memoryUsedPercentWarning, c.loadPerCoreWarning, c.historyEnabled, c.historyFlushIntervalMs, c.expect],
      [10_000, 10, 5, 90, 2, true, 30_000, []]
    )
  })

  test('the local-test profile turns the resource thresholds off (test agents share one host)', () => {
    const c = load({ flags: { profile: 'local-test' } })
    assert.deepEqual([c.diskFreePercentWarning, c.memoryUsedPercentWarning, c.loadPerCoreWarning], [0, 100, 1000])
  })

  test('env: lists comma-separated, numbers and booleans parsed', () => {
    const c = load({ env: { HEALTHMON_EXPECT: '/ip4/10.0.0.2/tcp/7946, 10.0.0.3:7946', HEALTHMON_HEALTH_DISK_PATHS: '/,/var/lib', HEALTHMON_HISTORY_ENABLED: 'false', HEALTHMON_LOAD_PER_CORE_WARNING: '1.5' } })
    assert.deepEqual(c.expect, ['/ip4/10.0.0.2/tcp/7946', '10.0.0.3:7946'])
    assert.deepEqual(c.healthDiskPaths, ['/', '/var/lib'])
    assert.equal(c.historyEnabled, false)
    assert.equal(c.loadPerCoreWarning, 1.5)
  })

  const bad: [string, Parameters<typeof loadConfig>[0], string][] = [
    ['a sample interval below 1 s', { flags: { healthSampleIntervalMs: 500 } }, 'healthSampleIntervalMs'],
    ['a percentage above 100', { flags: { memoryUsedPercentWarning: 120 } }, 'memoryUsedPercentWarning'],
    ['a critical disk level above the warning one', { flags: { diskFreePercentWarning: 5, diskFreePercentCritical: 10 } }, 'diskFreePercentCritical'],
    ['a critical memory level below the warning one', { flags: { memoryUsedPercentWarning: 95, memoryUsedPercentCritical: 90 } }, 'memoryUsedPercentCritical'],
    ['a critical load below the warning one', { flags: { loadPerCoreWarning: 3, loadPerCoreCritical: 2 } }, 'loadPerCoreCritical'],
    ['more series than a point key holds', { flags: { historySeriesMax: 70_000 } }, 'historySeriesMax']
  ]
  for (const [what, sources, key] of bad) {
    test(`stops on ${what}, naming the key`, () => {
      assert.throws(() => load(sources), (err: unknown) => err instanceof ConfigError && err.key === key)
    })
  }
})
