/** Peer trends: one point per interval, bounded points and peers, headings by least squares, validated figures. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { PeerTrends } from '../../src/health/peer-trends.ts'
import { SampleValidator } from '../../src/health/validate.ts'
import type { HealthSummary } from '../../src/transport/codec.ts'

const T0 = 1_800_000_000_000
const summary = (cpu: number, mem: number | null = 50): HealthSummary => ({ status: 'healthy', checksFailing: 0, resources: { cpuPercent: cpu, memoryPercent: mem, diskPercent: 70, loadPerCore: 0.5 } })
const trends = (over: Partial<ConstructorParameters<typeof PeerTrends>[0]> = {}) =>
  new PeerTrends({ validator: new SampleValidator(), pointsMax: 5, intervalMs: 10_000, peersMax: 3, ...over })

describe('PeerTrends', () => {
  test('keeps one point per interval (heartbeats arrive every second), at most pointsMax', () => {
    const t = trends()
    for (let s = 0; s < 120; s++) t.record('a', summary(s), T0 + s * 1000)
    const trend = t.trend('a')!
    assert.equal(trend.points.length, 5)
    // 110 % fails validation (percent is 0-100): stored as not measured.
    assert.deepEqual(trend.points.map((p) => p.cpuPercent), [70, 80, 90, 100, null])
  })

  test('heading: CPU rising 6 % per minute, memory flat, disk unknown when absent', () => {
    const t = trends()
    for (let i = 0; i < 5; i++) t.record('a', summary(10 + i, 40), T0 + i * 10_000)
    const h = t.trend('a')!.heading
    assert.deepEqual(h.cpuPercent, { last: 14, perMinute: 6 })
    assert.deepEqual(h.memoryPercent, { last: 40, perMinute: 0 })
  })

  test('a single point has a last value and no slope; an unknown peer has no trend', () => {
    const t = trends()
    t.record('a', summary(10), T0)
    assert.deepEqual(t.trend('a')!.heading.cpuPercent, { last: 10, perMinute: null })
    assert.equal(t.trend('nobody'), null)
  })

  test('a summary without resources adds nothing', () => {
    const t = trends()
    t.record('a', { status: 'healthy', checksFailing: 0 }, T0)
    assert.equal(t.trend('a'), null)
  })

  test('at most peersMax peers: the least recently heard is forgotten', () => {
    const t = trends()
    for (const [i, p] of ['a', 'b', 'c'].entries()) t.record(p, summary(1), T0 + i * 10_000)
    t.record('a', summary(1), T0 + 40_000)
    t.record('d', summary(1), T0 + 50_000)
    assert.equal(t.size, 3)
    assert.equal(t.trend('b'), null, 'b was heard least recently')
    assert.ok(t.trend('a') !== null && t.trend('d') !== null)
  })

  test('a figure failing validation is stored as not measured and counted', () => {
    const validator = new SampleValidator()
    const t = trends({ validator })
    t.record('a', { status: 'healthy', checksFailing: 0, resources: { cpuPercent: 250, memoryPercent: 10, diskPercent: null, loadPerCore: 0.1 } }, T0)
    assert.equal(t.trend('a')!.points[0]!.cpuPercent, null)
    assert.equal(validator.rejected['out-of-range'], 1)
  })
})
