/**
 * bench-health: what node health costs. Prints one JSON line.
 *
 *   node scripts/bench-health.ts [--samples 200] [--history-series 4] [--flushes 100]
 *
 * 1. Collectors: --samples resource readings of this machine's real /proc and file systems (the
 *    data dir's and /), each read + turned into samples + validated, as the agent's sampler
 *    does: median and max ms per reading (target <= 5 ms).
 * 2. Heartbeat bytes with 0 and with 20 failing checks (a real-length peer id, long check ids,
 *    the largest counters): target <= 512 bytes with 20.
 * 3. History bytes per metric at full retention: --history-series series of mixed units fed one
 *    sample per 10 s for 31 virtual days (past the 30-day retention, so every tier is full and
 *    pruning runs), flushed every 10 virtual minutes; the database file size (after a WAL
 *    checkpoint) per series, and the bytes its used pages take (target <= 200 KB).
 * 4. SQLite write time per flush: a real reading's ~45 series, 3 readings per flush (10 s
 *    sampling, 30 s flushes), --flushes flushes: median and max ms.
 * Every loop is bounded by its count; nothing touches the network.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ResourceCollectors } from '../src/health/collectors.ts'
import { samplesOf } from '../src/health/resource-reading.ts'
import type { Sample } from '../src/health/types.ts'
import { SampleValidator } from '../src/health/validate.ts'
import { seededRandom } from '../src/runtime/random.ts'
import { systemClock } from '../src/runtime/clock.ts'
import { openDatabase } from '../src/store/database.ts'
import { MetricHistory } from '../src/store/metric-history.ts'
import { MIGRATIONS } from '../src/store/migrations.ts'
import { encodeMessage } from '../src/transport/codec.ts'

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '200' },
    'history-series': { type: 'string', default: '4' },
    flushes: { type: 'string', default: '100' }
  }
})
const clock = systemClock()
const dir = mkdtempSync(join(tmpdir(), 'hm-bench-health-'))
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0
const round = (x: number, d = 3): number => Math.round(x * 10 ** d) / 10 ** d

try {
  // 1. Collectors.
  const collectors = new ResourceCollectors({ paths: [dir, '/'] })
  const validator = new SampleValidator()
  const times: number[] = []
  let lastSamples: Sample[] = []
  for (let i = 0; i < Number(values.samples); i++) {
    const t0 = clock.now()
    lastSamples = validator.admit(samplesOf(collectors.read(t0)), t0)
    times.push(clock.now() - t0)
  }

  // 2. Heartbeat bytes.
  const header = { cluster: 'default', sender: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo', incarnation: 1_000_000, seq: 4_000_000_000 }
  const resources = { cpuPercent: 37.25, memoryPercent: 81.04, diskPercent: 93.3, loadPerCore: 1.234 }
  const heartbeatBytes = (failing: number): number => encodeMessage({
    type: 'heartbeat', ...header,
    health: { status: failing > 0 ? 'unhealthy' : 'healthy', checksFailing: failing, resources, failingChecks: Array.from({ length: failing }, (_, i) => `check-with-a-long-id-${i}`) }
  }).byteLength

  // 3. History at full retention.
  const seriesCount = Number(values['history-series'])
  const fullPath = join(dir, 'full.db')
  const full = openDatabase(fullPath, MIGRATIONS).db
  const history = new MetricHistory(full, { seriesMax: 1000, pendingPointsMax: 1_000_000 })
  const random = seededRandom(7)
  const kinds: [string, Sample['unit'], (i: number) => number][] = [
    ['bench_percent', 'percent', () => round(random.next() * 100, 2)],
    ['bench_bytes', 'bytes', () => 8e9 + random.int(1e9)],
    ['bench_load', 'none', () => random.next() * 4],
    ['bench_seconds_total', 'counter', (i) => i * 10 + random.next()]
  ]
  const HOUR = 3_600_000
  const t0 = 1_800_000_000_000
  const steps = (31 * 24 * HOUR) / 10_000
  const flushEvery = 60 // samples: 10 virtual minutes
  const fillStarted = clock.now()
  for (let i = 0; i < steps; i++) {
    const atMs = t0 + i * 10_000
    const batch: Sample[] = []
    for (let s = 0; s < seriesCount; s++) {
      const [name, unit, value] = kinds[s % kinds.length]!
      batch.push({ name, labels: { n: String(s) }, value: value(i), unit, atMs })
    }
    history.record(batch)
    if ((i + 1) % flushEvery === 0) history.flush(atMs)
  }
  history.flush(t0 + steps * 10_000)
  const fillMs = clock.now() - fillStarted
  full.exec('PRAGMA wal_checkpoint(TRUNCATE)')
  const pragma = (name: string): number => Number(Object.values(full.prepare(`PRAGMA ${name}`).get() as Record<string, number>)[0])
  const usedBytes = (pragma('page_count') - pragma('freelist_count')) * pragma('page_size')
  const points = (full.prepare('SELECT (SELECT count(*) FROM metric_points_10s) + (SELECT count(*) FROM metric_points_1m) + (SELECT count(*) FROM metric_points_1h) AS n').get() as { n: number }).n
  full.close()
  const fileBytes = statSync(fullPath).size

  // 4. Flush time with a real reading's series.
  const flushDb = openDatabase(join(dir, 'flush.db'), MIGRATIONS).db
  const live = new MetricHistory(flushDb, { seriesMax: 1000, pendingPointsMax: 100_000 })
  const flushTimes: number[] = []
  for (let f = 0; f < Number(values.flushes); f++) {
    for (let k = 0; k < 3; k++) {
      const atMs = t0 + (f * 3 + k) * 10_000
      live.record(lastSamples.map((s) => ({ ...s, atMs })))
    }
    const started = clock.now()
    live.flush(t0 + (f + 1) * 30_000)
    flushTimes.push(clock.now() - started)
  }
  flushDb.close()

  process.stdout.write(`${JSON.stringify({
    bench: 'health',
    collectors: { samples: times.length, seriesPerSample: lastSamples.length, medianMs: round(median(times)), maxMs: round(Math.max(...times)), targetMs: 5 },
    heartbeatBytes: { checks0: heartbeatBytes(0), checks20: heartbeatBytes(20), target: 512 },
    history: {
      series: seriesCount, points, pointsPerSeries: Math.round(points / seriesCount),
      fileBytesPerMetric: Math.round(fileBytes / seriesCount), usedBytesPerMetric: Math.round(usedBytes / seriesCount), targetBytes: 200_000,
      fillSeconds: round(fillMs / 1000, 1)
    },
    flush: { flushes: flushTimes.length, seriesPerFlush: lastSamples.length, samplesPerFlush: lastSamples.length * 3, medianMs: round(median(flushTimes)), maxMs: round(Math.max(...flushTimes)) }
  })}\n`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
