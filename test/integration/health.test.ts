/**
 * Node health across real agent processes on 127.0.0.1 (real libp2p, real /proc, real SQLite):
 * GET /v1/self carries cpu, memory, disk and load; each agent's view row of the other shows the
 * summary its heartbeats carry, and a status derived from a resource threshold; a peer's trend
 * fills; history answers from the data dir's database; an --expect address that never answers
 * is shown missing.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ApiClient } from '../../src/api/client.ts'
import type { HistoryResponse, PeerDetail, SelfView } from '../../src/api/protocol.ts'
import { ProcessCluster } from '../../src/sim/process-cluster.ts'

describe('node health on two real agents', { timeout: 120_000 }, () => {
  // 1 s sampling so the test sees several readings; "degraded below 100 % free disk" makes every
  // agent degraded by a resource threshold (local-test otherwise switches thresholds off).
  const cluster = new ProcessCluster({
    size: 2,
    env: { HEALTHMON_HEALTH_SAMPLE_INTERVAL_MS: '1000', HEALTHMON_HISTORY_FLUSH_INTERVAL_MS: '2000', HEALTHMON_DISK_FREE_PERCENT_WARNING: '100' },
    args: ['--expect', '/ip4/127.0.0.1/tcp/1']
  })
  const client = (i: number) => new ApiClient(cluster.agents[i]!.socket, { timeoutMs: 5000 })
  before(async () => {
    await cluster.start()
  })
  after(async () => {
    await cluster.close()
  })

  test('GET /v1/self carries cpu, memory, disk and load, and the reasons for its status', async () => {
    const self = await client(0).get<SelfView>('/v1/self')
    const r = self.resources
    assert.ok(r !== null, 'sampled at start')
    for (const [what, v] of [['cpu', r.cpuPercent], ['memory', r.memoryPercent], ['disk', r.diskPercent]] as const) {
      assert.ok(typeof v === 'number' && v >= 0 && v <= 100, `${what}: ${v}`)
    }
    assert.ok(typeof r.loadPerCore === 'number' && r.loadPerCore >= 0 && r.cpus >= 1)
    assert.ok(r.disks.some((d) => d.mountpoint === '/'))
    assert.equal(self.status, 'degraded')
    assert.ok(self.reasons.some((reason) => /^disk .* % space free \(warning below 100 %\)$/.test(reason)), self.reasons.join('; '))
  })

  test("each agent's row of the other shows the other's summary and derived status", async () => {
    const took = await cluster.waitUntil(cluster.agents, (v) => {
      const peer = v.peers.find((p) => p.name.startsWith('node-'))
      return peer?.summary?.cpuPercent !== null && peer?.summary?.cpuPercent !== undefined && peer.status === 'degraded'
    }, 30_000)
    assert.ok(took !== undefined, 'summaries and status arrived by heartbeat')
    const view = await cluster.view(cluster.agents[0]!)
    const other = view.peers.find((p) => p.name === 'node-1')!
    assert.ok(other.summary !== null && other.summary.memoryPercent !== null && other.summary.diskPercent !== null && other.summary.loadPerCore !== null)
    assert.deepEqual([other.summary.checksFailing, other.summary.failingChecks], [0, []])
  })

  test("a peer's trend fills, one point per sample interval", async () => {
    let detail: PeerDetail | undefined
    for (let i = 0; i < 60; i++) {
      detail = await client(0).get<PeerDetail>('/v1/peers/node-1')
      if ((detail.trend?.points.length ?? 0) >= 3) break
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    assert.ok(detail?.trend !== null && detail!.trend!.points.length >= 3, `trend points: ${detail?.trend?.points.length}`)
    assert.ok(detail!.trend!.heading.cpuPercent.last !== null)
  })

  test('history answers from the agent\'s SQLite database', async () => {
    const h = await client(1).get<HistoryResponse>('/v1/metrics/history?name=healthmon_memory_used_percent&since=5m')
    assert.equal(h.unit, 'percent')
    assert.equal(h.resolutionMs, 10_000)
    assert.ok(h.series.length === 1 && h.series[0]!.points.length >= 1)
  })

  test('an --expect address that never answers is shown missing', async () => {
    const took = await cluster.waitUntil(cluster.agents, (v) => v.peers.some((p) => p.id === '/ip4/127.0.0.1/tcp/1' && p.state === 'missing'), 30_000)
    assert.ok(took !== undefined, 'missing everywhere')
  })
})
