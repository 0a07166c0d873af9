/**
 * Node health on /metrics, from a real resource reading: node_exporter-named families with their
 * fixed label sets, the validation and collector counters, and no clash with prom-client's
 * default process_* / nodejs_* families (a duplicate name would throw at registration).
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { AgentMetrics } from '../../src/metrics/agent-metrics.ts'
import { EXPORTED_SAMPLES } from '../../src/metrics/health-metrics.ts'
import { ResourceCollectors } from '../../src/health/collectors.ts'
import { samplesOf } from '../../src/health/resource-reading.ts'
import { SampleValidator } from '../../src/health/validate.ts'
import type { Sample } from '../../src/health/types.ts'
import { VIEW } from '../api/fixtures.ts'

test('resource metrics under node_exporter names, with validation and collector counters', async () => {
  const collectors = new ResourceCollectors({ paths: ['/'] })
  const validator = new SampleValidator()
  const bad: Sample = { name: 'x', labels: {}, value: Number.NaN, unit: 'none', atMs: 0 }
  const samples = validator.admit([...samplesOf(collectors.read(Date.now())), bad], Date.now())
  const metrics = new AgentMetrics({ info: { cluster: 'test', name: 'a', version: '0.1.0' } })
  const node = {
    stats: { heartbeatsSent: 0, heartbeatsReceived: 0, verdictsPublished: 0, publishErrors: 0, refutations: 0 },
    antiEntropy: { stats: { syncs: 0, syncErrors: 0 } },
    validator: { dropped: {} as never, rateLimited: {} as never, accepted: 0 },
    supervisor: { stats: { actors: 0, restarts: 0, dropped: 0, stopped: 0, parked: 0, revived: 0 } },
    members: { refused: 0 }, alertLog: { dropped: 0 }, eventLog: { lastId: 0 }, membership: { dropped: {} as never },
    events: { listenerErrors: 0 }, reports: { dropped: 0 },
    clusterView: () => VIEW
  }
  metrics.attach({ node, api: () => undefined, health: { samples: () => samples, validator, collectors, cost: { samples: 1, lastMs: 0.4 } } })
  const { text } = await metrics.scrape()
  const families = parsePrometheusTextFormat(text)
  const byName = new Map(families.map((f) => [f.name, f]))
  for (const name of ['node_load1', 'node_memory_MemAvailable_bytes', 'healthmon_cpu_busy_percent', 'node_filesystem_avail_bytes']) assert.ok(byName.has(name), name)
  assert.equal(byName.get('node_cpu_seconds_total')!.type, 'COUNTER')
  assert.deepEqual(byName.get('node_cpu_seconds_total')!.metrics.map((m) => m.labels?.mode).sort(), ['idle', 'iowait', 'irq', 'nice', 'softirq', 'steal', 'system', 'user'])
  assert.ok(byName.get('node_filesystem_avail_bytes')!.metrics.some((m) => m.labels?.mountpoint === '/'))
  const rejected = byName.get('healthmon_samples_rejected_total')!
  assert.equal(Number(rejected.metrics.find((m) => m.labels?.reason === 'non-finite')!.value), 1)
  assert.equal(Number(byName.get('healthmon_resource_sample_duration_seconds')!.metrics[0]!.value), 0.0004)
  // Every exported sample name that was measured appears once; prom-client's own families are still there.
  for (const s of samples) if (Object.hasOwn(EXPORTED_SAMPLES, s.name)) assert.ok(byName.has(s.name), s.name)
  assert.ok(byName.has('process_open_fds') && byName.has('nodejs_heap_size_used_bytes'))
})
