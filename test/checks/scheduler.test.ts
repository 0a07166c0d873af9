/**
 * The scheduler shell on a VirtualClock: TTL expiry and check-ins, random initial offsets, no
 * overlapping runs, the concurrency bound, clean stop, listeners and counters. Checks run real
 * processes (test/fixtures/checks/) and real sockets on 127.0.0.1; only time is virtual.
 */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { resolveCheck, type CheckSpec } from '../../src/checks/check-config.ts'
import type { CheckEffect } from '../../src/checks/check-state.ts'
import { CheckScheduler } from '../../src/checks/scheduler.ts'
import type { CheckReport, Sample } from '../../src/health/types.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { startTcpListener, type TcpListener } from './net-helpers.ts'
import { FIXTURES, leadersTagged, waitFor } from './proc-helpers.ts'

const T = { timeout: 30_000 }
const START_MS = 1_700_000_000_000

function scheduler(specs: CheckSpec[], options: { seed?: number; runsConcurrentMax?: number } = {}) {
  const clock = new VirtualClock(START_MS)
  const s = new CheckScheduler({
    checks: specs.map(resolveCheck),
    clock,
    random: seededRandom(options.seed ?? 7),
    logger: silentLogger(),
    runsConcurrentMax: options.runsConcurrentMax ?? 4,
    outputBytesMax: 4096,
    httpBodyBytesMax: 65_536
  })
  return { s, clock }
}

describe('TTL checks on virtual time', () => {
  test('unknown until the first TTL runs out, then critical saying since when', () => {
    const { s, clock } = scheduler([{ id: 'batch', ttlMs: 10_000 }])
    s.start()
    assert.deepEqual(s.report('batch'), { id: 'batch', status: 'unknown', flapping: false, output: 'no check-in yet', lastRunAtMs: undefined, sinceMs: START_MS })
    assert.equal(s.detail('batch')?.ttlExpiresAt, new Date(START_MS + 10_000).toISOString())
    clock.advance(9999)
    assert.equal(s.report('batch')?.status, 'unknown')
    clock.advance(1)
    const expired = s.report('batch')!
    assert.equal(expired.status, 'critical')
    assert.equal(expired.output, `TTL expired: no check-in since the agent started at ${new Date(START_MS).toISOString()} (ttl 10000 ms)`)
    assert.equal(s.detail('batch')?.ttlExpiresAt, null)
    void s.stop()
  })

  test('a check-in sets the status and the note, and restarts the TTL', () => {
    const { s, clock } = scheduler([{ id: 'batch', ttlMs: 10_000 }])
    s.start()
    clock.advance(4000)
    const outcome = s.checkIn('batch', 'warn', 'backlog 120 items\nqueue: orders')
    assert.equal(outcome.ok, true)
    assert.equal(s.report('batch')?.status, 'warning')
    assert.equal(s.report('batch')?.output, 'backlog 120 items')
    assert.equal(s.detail('batch')?.longOutput, 'queue: orders')
    clock.advance(9000) // 13 s after start: the first TTL would have run out at 10 s
    assert.equal(s.report('batch')?.status, 'warning')
    s.checkIn('batch', 'pass')
    assert.equal(s.report('batch')?.output, 'check-in: pass')
    const lastCheckIn = clock.now()
    clock.advance(10_000)
    assert.equal(s.report('batch')?.status, 'critical')
    assert.equal(s.report('batch')?.output, `TTL expired: no check-in since ${new Date(lastCheckIn).toISOString()} (ttl 10000 ms)`)
    assert.equal(s.stats().checkIns, 2)
    void s.stop()
  })

  test('check-ins are refused for unknown checks, non-TTL checks and oversize notes', () => {
    const { s } = scheduler([{ id: 'batch', ttlMs: 10_000 }, { id: 'port', tcp: '127.0.0.1:1' }])
    const unknown = s.checkIn('nope', 'pass')
    assert.equal(unknown.ok === false && unknown.reason, 'not-found')
    const notTtl = s.checkIn('port', 'pass')
    assert.equal(notTtl.ok === false && notTtl.reason, 'not-ttl')
    const long = s.checkIn('batch', 'pass', 'x'.repeat(4097))
    assert.equal(long.ok === false && long.reason, 'note-too-long')
    assert.equal(s.report('batch')?.status, 'unknown', 'nothing was recorded')
  })
})

describe('scheduling real checks on virtual time', () => {
  let listener: TcpListener
  let port: number
  before(async () => {
    listener = await startTcpListener()
    port = listener.port
  })
  after(() => listener.close())

  test('the first run comes at a random offset within the interval, the next one interval after it ended', T, async () => {
    const offset = seededRandom(11).int(10_000)
    const { s, clock } = scheduler([{ id: 'port', tcp: `127.0.0.1:${port}`, intervalMs: 10_000 }], { seed: 11 })
    s.start()
    clock.advance(offset - 1)
    assert.equal(s.detail('port')?.runs, 0)
    clock.advance(1)
    await waitFor(() => s.detail('port')?.runs === 1, 'first run')
    assert.equal(s.report('port')?.status, 'passing')
    assert.equal(s.report('port')?.lastRunAtMs, START_MS + offset)
    clock.advance(9999)
    assert.equal(s.detail('port')?.runs, 1)
    clock.advance(1)
    await waitFor(() => s.detail('port')?.runs === 2, 'second run')
    await s.stop()
  })

  test('different checks get different offsets', () => {
    const { s, clock } = scheduler(Array.from({ length: 8 }, (_, i) => ({ id: `c${i}`, tcp: `127.0.0.1:${port}`, intervalMs: 60_000 })))
    s.start()
    const dues = new Set<number>()
    for (let i = 0; i < 8; i++) {
      dues.add(clock.nextDueMs()!)
      clock.advance(clock.nextDueMs()! - clock.now())
    }
    assert.ok(dues.size >= 7, `offsets ${[...dues].join(', ')}`)
    void s.stop()
  })

  test('a run that outlasts its interval is never overlapped; its timeout kills it', T, async () => {
    const tag = `overlap-${process.pid}`
    const hangGroups = () => leadersTagged(tag)
    const { s, clock } = scheduler([{ id: 'hang', exec: [join(FIXTURES, 'hang.sh'), tag], intervalMs: 100, timeoutMs: 5000 }])
    s.start()
    clock.advance(100)
    const started = s.stats()
    await waitFor(() => hangGroups().length === 1, 'one hang.sh running')
    clock.advance(1000) // ten intervals: still only the one run
    assert.equal(hangGroups().length, 1)
    clock.advance(4000)
    await waitFor(() => s.detail('hang')?.runs === 1, 'the run timed out')
    assert.equal(s.report('hang')?.status, 'unknown')
    assert.equal(s.stats().timeouts, 1)
    assert.equal(started.runs, 0)
    await waitFor(() => hangGroups().length === 0, 'the timed-out group gone')
    await s.stop()
  })

  test('exec runs beyond runsConcurrentMax wait for a slot, counted', T, async () => {
    const tag = `slots-${process.pid}`
    const hangGroups = () => leadersTagged(tag)
    const checks = ['a', 'b'].map((id) => ({ id, exec: [join(FIXTURES, 'hang.sh'), tag], intervalMs: 100, timeoutMs: 5000 }))
    const { s, clock } = scheduler(checks, { runsConcurrentMax: 1 })
    s.start()
    clock.advance(100)
    // Both were due; the second is parked on the slot, not started.
    assert.equal(s.stats().runsQueued, 1)
    await waitFor(() => hangGroups().length === 1, 'one plugin running')
    clock.advance(5000)
    await waitFor(() => s.detail('a')!.runs + s.detail('b')!.runs === 1 && hangGroups().length === 1, 'the first timed out, the second started')
    await s.stop()
    await waitFor(() => hangGroups().length === 0, 'stop() killed the second')
  })

  test('stop() kills running plugins and waits for them', T, async () => {
    const tag = `stop-${process.pid}`
    const hangGroups = () => leadersTagged(tag)
    const { s, clock } = scheduler([{ id: 'hang', exec: [join(FIXTURES, 'hang.sh'), tag], intervalMs: 100, timeoutMs: 60_000 }])
    s.start()
    clock.advance(100)
    await waitFor(() => hangGroups().length === 1, 'hang.sh running')
    await s.stop()
    await waitFor(() => hangGroups().length === 0, 'killed on stop')
    assert.equal(clock.pending, 0, 'no timer left behind')
  })

  test('perfdata reaches the sample listener, rejects the counters, changes the change listener', T, async () => {
    const { s, clock } = scheduler([{ id: 'mixed', exec: [join(FIXTURES, 'malformed.sh')], intervalMs: 1000 }])
    const samples: Sample[] = []
    const changes: [CheckReport, CheckEffect][] = []
    s.onSamples((batch) => samples.push(...batch))
    s.onChange((report, effect) => changes.push([report, effect]))
    s.start()
    clock.advance(1000)
    await waitFor(() => s.detail('mixed')?.runs === 1, 'one run')
    assert.deepEqual(samples.map((x) => [x.name, x.labels['label'], x.value]), [
      ['healthmon_check_perfdata_seconds', 'good', 1], ['healthmon_check_perfdata_percent', "it's quoted", 50],
      ['healthmon_check_perfdata_bytes', 'later', 2_048_000], ['healthmon_check_perfdata', 'range', 3], ['healthmon_check_perfdata_total', 'fourth', 4]
    ])
    assert.deepEqual(s.stats().perfdataRejected, { syntax: 1, label: 1, value: 2, unit: 1, threshold: 0, 'too-many': 0 })
    assert.deepEqual(changes.map(([r, e]) => [r.id, r.status, e]), [['mixed', 'passing', { type: 'status:changed', from: 'unknown', to: 'passing' }]])
    assert.equal(s.detail('mixed')?.perfdata.length, 5)
    await s.stop()
  })

  test('a listener that throws does not stop the scheduler', T, async () => {
    const { s, clock } = scheduler([{ id: 'port', tcp: `127.0.0.1:${port}`, intervalMs: 1000 }])
    s.onChange(() => {
      throw new Error('listener bug')
    })
    s.start()
    clock.advance(1000)
    await waitFor(() => s.detail('port')?.runs === 1, 'one run')
    clock.advance(1000)
    await waitFor(() => s.detail('port')?.runs === 2, 'a second run')
    await s.stop()
  })
})
