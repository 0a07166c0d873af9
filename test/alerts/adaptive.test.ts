import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createEvaluator, evaluate } from '../../src/alerts/evaluator.ts'
import type { Transition } from '../../src/alerts/instance.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { rules, sample, T0 } from './fixtures.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const STEP_MS = 30_000

/**
 * Runs an adaptive rule over three days of a diurnal series (mean 50, amplitude 20, noise ±2),
 * one point every 30 s on a virtual clock, with `shift(t)` added; returns the transitions.
 */
function run(shift: (elapsedMs: number) => number, seed = 7): Transition[] {
  const clock = new VirtualClock(T0)
  const random = seededRandom(seed)
  const s = createEvaluator({ rules: rules({ name: 'LatencyOdd', metric: 'app_latency_ms', adaptive: true, annotations: { summary: 'latency {{ $value }} ms, usual {{ $baseline }}' } }), selfName: 'n1' })
  const out: Transition[] = []
  const timer = clock.setInterval(() => {
    const elapsed = clock.now() - T0
    const value = 50 + 20 * Math.sin((2 * Math.PI * elapsed) / DAY) + (random.next() * 4 - 2) + shift(elapsed)
    out.push(...evaluate(s, { samples: [sample('app_latency_ms', value, clock.now())] }, clock.now()))
  }, STEP_MS)
  clock.advance(3 * DAY)
  timer.cancel()
  return out
}

const counts = (ts: Transition[]) => ({
  firing: ts.filter((t) => t.type === 'alert:firing').length,
  resolved: ts.filter((t) => t.type === 'alert:resolved').length
})

describe('adaptive thresholds (median/MAD band)', () => {
  test('the diurnal series alone never fires', () => {
    for (const seed of [1, 2, 3]) assert.deepEqual(counts(run(() => 0, seed)), { firing: 0, resolved: 0 })
  })

  test('one step change fires once and clears once, and the annotation states baseline, band and value', () => {
    const stepAt = 2 * DAY + 10 * HOUR
    const out = run((elapsed) => (elapsed >= stepAt ? 40 : 0))
    assert.deepEqual(counts(out), { firing: 1, resolved: 1 })
    const firing = out.find((t) => t.type === 'alert:firing')!
    const firedAfterMs = firing.alert.firedAtMs! - (T0 + stepAt)
    assert.ok(firedAfterMs > 0 && firedAfterMs <= 10 * 60_000, `fired ${firedAfterMs} ms after the step`)
    const a = firing.alert
    assert.ok(Number(a.annotations.baseline) > 0)
    assert.match(a.annotations.band!, /^-?[\d.]+:-?[\d.]+$/)
    assert.ok(Number(a.annotations.value) > Number(a.annotations.band!.split(':')[1]), 'value above the band')
    assert.match(a.annotations.summary!, /latency [\d.]+ ms, usual [\d.]+/)
  })

  test('a single spike is not an incident', () => {
    const spikeAt = 2 * DAY
    assert.deepEqual(counts(run((elapsed) => (elapsed >= spikeAt && elapsed < spikeAt + STEP_MS ? 200 : 0))), { firing: 0, resolved: 0 })
  })

  test('warm-up: no verdict during the first hour, whatever the values', () => {
    const out = run((elapsed) => (elapsed < HOUR ? (elapsed % (10 * 60_000) < 5 * 60_000 ? 500 : -500) : 0))
    assert.equal(out.filter((t) => (t.alert.firedAtMs ?? Infinity) < T0 + HOUR).length, 0)
  })
})
