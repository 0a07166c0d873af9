/**
 * ClusterNode as the carrier of node health, on the in-memory network and virtual time: the
 * provider's summary rides every heartbeat, so a check going critical on one node shows in the
 * other's view row (status, failing checks, resource figures) within two heartbeat intervals,
 * and each heartbeat's summary reaches onPeerHealth (the trends).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateConfig } from '../../src/config/load.ts'
import { defaultConfig } from '../../src/config/profiles.ts'
import { NodeHealth } from '../../src/health/node-health.ts'
import { ResourceCollectors } from '../../src/health/collectors.ts'
import { SampleValidator } from '../../src/health/validate.ts'
import type { CheckReport } from '../../src/health/types.ts'
import { ClusterNode } from '../../src/node/cluster-node.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import type { HealthSummary } from '../../src/transport/codec.ts'
import { MemoryNetwork } from '../../src/transport/memory-transport.ts'

const drain = () => new Promise((resolve) => setImmediate(resolve))

test('a critical check on a shows in b\'s row of a within two heartbeat intervals', { timeout: 30_000 }, async () => {
  const clock = new VirtualClock()
  const random = seededRandom(3)
  const options = (name: string, join: string[]) => validateConfig({ ...defaultConfig(), name, join })
  const network = new MemoryNetwork({ clock, messageBytesMax: 65_536 })
  let checks: CheckReport[] = []
  const health = new NodeHealth({
    clock, collectors: new ResourceCollectors({ paths: ['/'] }), validator: new SampleValidator(),
    thresholds: { ...defaultConfig(), loadPerCoreWarning: 1000, loadPerCoreCritical: 1000, memoryUsedPercentWarning: 100, memoryUsedPercentCritical: 100, diskFreePercentWarning: 0, diskFreePercentCritical: 0 },
    sampleIntervalMs: 10_000, checks: () => checks
  })
  health.start()
  const heard: HealthSummary[] = []
  const a = new ClusterNode({ transport: network.createTransport('a'), clock, random: random.fork(), logger: silentLogger(), options: options('a', []), incarnation: 1, health: (aw) => health.report(aw) })
  const b = new ClusterNode({ transport: network.createTransport('b'), clock, random: random.fork(), logger: silentLogger(), options: options('b', ['/memory/a']), incarnation: 1, onPeerHealth: (_id, h) => heard.push(h) })
  await a.start()
  await b.start()
  const rowOfA = () => b.clusterView().peers.find((p) => p.id === 'a')
  const runUntil = async (predicate: () => boolean, limitMs: number): Promise<number | undefined> => {
    const start = clock.now()
    await drain()
    while (!predicate()) {
      const due = clock.nextDueMs()
      if (due === undefined || due > start + limitMs) return undefined
      clock.step()
      await drain()
    }
    return clock.now() - start
  }
  try {
    assert.ok(await runUntil(() => rowOfA()?.summary?.memoryPercent !== undefined && rowOfA()?.summary !== null, 20_000) !== undefined, 'a summary arrived')
    assert.equal(rowOfA()!.status, 'healthy')
    assert.ok(heard.length > 0 && heard.at(-1)!.resources !== undefined)

    checks = [{ id: 'web', status: 'critical', flapping: false, output: 'connection refused', lastRunAtMs: clock.now(), sinceMs: clock.now() }]
    const took = await runUntil(() => rowOfA()?.status === 'unhealthy', 10_000)
    assert.ok(took !== undefined && took <= 2 * 1000, `took ${took} ms of virtual time`)
    assert.deepEqual([rowOfA()!.summary!.checksFailing, rowOfA()!.summary!.failingChecks], [1, ['web']])
    assert.equal(a.selfView().status, 'unhealthy')
    assert.deepEqual(a.selfView().reasons, ['check web critical'])
  } finally {
    health.stop()
    await a.stop({ leave: false })
    await b.stop({ leave: false })
  }
})
