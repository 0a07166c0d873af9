import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import {
  createPhiState,
  elapsedForPhi,
  lastArrivalMs,
  meanIntervalMs,
  phi,
  phiOf,
  PHI_MAX,
  recordHeartbeat,
  sampleCount,
  stdDevMs,
  type PhiOptions,
  type PhiState
} from '../../src/detector/index.ts'

// Pekko's test defaults (AccrualFailureDetectorSpec): window 1000, min deviation 100 ms, no
// acceptable pause, first estimate 1 s.
const PEKKO: PhiOptions = { windowSamplesMax: 1000, minStdDevMs: 100, acceptableHeartbeatPauseMs: 0, firstHeartbeatEstimateMs: 1000 }

/** Feeds arrivals at the running sums of `intervals`, starting at `startMs`. */
function feed(options: PhiOptions, intervals: readonly number[], startMs = 0): { state: PhiState; lastMs: number } {
  let state = recordHeartbeat(createPhiState(options), startMs, options)
  let t = startMs
  for (const interval of intervals) {
    t += interval
    state = recordHeartbeat(state, t, options)
  }
  return { state, lastMs: t }
}

function close(actual: number, expected: number, tolerance: number, label: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${label}: ${actual} not within ${tolerance} of ${expected}`)
}

/** Naive population mean and deviation of the window the detector should hold. */
function naive(options: PhiOptions, intervals: readonly number[]): { mean: number; sd: number; spread: number } {
  const e = options.firstHeartbeatEstimateMs
  const fed = [e - e / 4, e + e / 4, ...intervals]
  const all = fed.slice(-options.windowSamplesMax)
  const mean = all.reduce((a, b) => a + b, 0) / all.length
  const variance = all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length
  // Rounding in O(1) running sums scales with the spread of what passed through the window.
  const spread = Math.max(...fed.map((x) => Math.abs(x - mean)))
  return { mean, sd: Math.sqrt(variance), spread }
}

describe('phiOf: the logistic approximation (Pekko AccrualFailureDetectorSpec)', () => {
  const cdf = (p: number): number => 1 - 10 ** -p
  // [elapsed, mean, sd, expected CDF, tolerance]: exact normal CDF values from the spec.
  const cdfTable: [number, number, number, number, number][] = [
    [0, 0, 10, 0.5, 0.001],
    [6, 0, 10, 0.7257, 0.001],
    [15, 0, 10, 0.9332, 0.001],
    [20, 0, 10, 0.97725, 0.001],
    [25, 0, 10, 0.99379, 0.001],
    [35, 0, 10, 0.99977, 0.001],
    [40, 0, 10, 0.99997, 0.0001],
    [22, 20, 3, 0.7475, 0.001]
  ]
  for (const [elapsed, mean, sd, expected, tolerance] of cdfTable) {
    test(`CDF(${elapsed}; mean ${mean}, sd ${sd}) ~ ${expected}`, () => {
      close(cdf(phiOf(elapsed, mean, sd)), expected, tolerance, 'cdf')
    })
  }

  // [elapsed, expected phi] for mean 1000 ms, sd 100 ms, tolerance 0.1 ("realistic phi values").
  const realistic: [number, number][] = [[0, 0], [500, 0.1], [1000, 0.3], [1200, 1.6], [1400, 4.7], [1600, 10.8], [1700, 15.3]]
  for (const [elapsed, expected] of realistic) {
    test(`phi(${elapsed} ms; mean 1000, sd 100) ~ ${expected}`, () => {
      close(phiOf(elapsed, 1000, 100), expected, 0.1, 'phi')
    })
  }

  test('strictly increasing from 0 to 40 (mean 0, sd 10)', () => {
    for (let x = 0; x < 40; x++) assert.ok(phiOf(x, 0, 10) < phiOf(x + 1, 0, 10), `at ${x}`)
  })

  test('a larger deviation gives a lower phi past the mean', () => {
    assert.ok(phiOf(1100, 1000, 500) < phiOf(1100, 1000, 100))
  })

  test('outliers: finite far in the tail, 0 far before the mean', () => {
    close(phiOf(10, 0, 1), 38, 1, 'phi(10; 0, 1)')
    assert.equal(phiOf(-25, 0, 1), 0)
    assert.equal(phiOf(1e300, 0, 1e-300), PHI_MAX)
  })

  test('phi at the mean is log10(2) ~ 0.30', () => {
    close(phiOf(1234, 1234, 56), Math.log10(2), 1e-12, 'phi at mean')
  })
})

describe('detector state', () => {
  test('before the first arrival: phi 0, no arrival, no samples, estimates from the options', () => {
    const s = createPhiState(PEKKO)
    assert.equal(phi(s, 1e12, PEKKO), 0)
    assert.equal(lastArrivalMs(s), undefined)
    assert.equal(sampleCount(s), 0)
    assert.equal(meanIntervalMs(s, PEKKO), 1000)
    assert.equal(stdDevMs(s, PEKKO), 250)
  })

  test('the first arrival only seeds the window: mean = estimate, sd = estimate / 4, two samples', () => {
    const s = recordHeartbeat(createPhiState(PEKKO), 5000, PEKKO)
    assert.equal(lastArrivalMs(s), 5000)
    assert.equal(sampleCount(s), 2)
    assert.equal(meanIntervalMs(s, PEKKO), 1000)
    assert.equal(stdDevMs(s, PEKKO), 250)
  })

  test('phi from the guess after one heartbeat (Pekko: ~0.3, ~4.5, > 15 at 1, 2, 3 s)', () => {
    const s = recordHeartbeat(createPhiState(PEKKO), 0, PEKKO)
    close(phi(s, 1000, PEKKO), 0.3, 0.2, 'at 1 s')
    close(phi(s, 2000, PEKKO), 4.5, 0.3, 'at 2 s')
    assert.ok(phi(s, 3000, PEKKO) > 15)
  })

  test('phi is above 0 right after the second heartbeat (first real interval)', () => {
    const { state, lastMs } = feed(PEKKO, [100])
    assert.ok(phi(state, lastMs + 100, PEKKO) > 0)
  })

  // Pekko's "Statistics for heartbeats": population mean and variance, window-capped.
  const statsTable: { name: string; window: number; intervals: number[]; mean: number; variance: number }[] = [
    { name: 'five samples', window: 5, intervals: [100, 200, 125, 340, 130], mean: 179, variance: 7584 },
    { name: 'window 3, three samples', window: 3, intervals: [100, 110, 90], mean: 100, variance: 66.6666667 },
    { name: 'window 3, fourth drops the first', window: 3, intervals: [100, 110, 90, 140], mean: 113.333333, variance: 422.222222 },
    { name: 'window 3, fifth drops the second', window: 3, intervals: [100, 110, 90, 140, 80], mean: 103.333333, variance: 688.88888889 }
  ]
  for (const row of statsTable) {
    test(`window statistics: ${row.name}`, () => {
      const options = { ...PEKKO, windowSamplesMax: row.window, minStdDevMs: 1e-9 }
      const { state } = feed(options, row.intervals)
      close(meanIntervalMs(state, options), row.mean, 1e-5, 'mean')
      close(stdDevMs(state, options) ** 2, row.variance, 1e-5, 'variance')
      assert.equal(sampleCount(state), row.window)
    })
  }

  test('window bound: after windowSamplesMax + N arrivals only the last windowSamplesMax intervals count', () => {
    // Pekko "use maxSampleSize heartbeats": window 3, 100 ms beats, then 500 ms beats push them out.
    const options = { ...PEKKO, windowSamplesMax: 3 }
    const a = feed(options, [100, 100, 100])
    const b = feed(options, [100, 100, 100, 700, 500, 500, 500])
    assert.deepEqual([sampleCount(a.state), meanIntervalMs(a.state, options)], [3, 100])
    assert.deepEqual([sampleCount(b.state), meanIntervalMs(b.state, options)], [3, 500])
    close(phi(b.state, b.lastMs + 500, options), phi(a.state, a.lastMs + 100, options), 0.001, 'phi')
    for (const extra of [1, 2, 3, 50]) {
      const c = feed(options, [...Array(3).fill(100), ...Array(extra).fill(400)])
      assert.equal(sampleCount(c.state), 3)
      assert.equal(meanIntervalMs(c.state, options), extra >= 3 ? 400 : (100 * (3 - extra) + 400 * extra) / 3)
    }
  })

  test('minStdDevMs floors the deviation: identical intervals give exactly the floor', () => {
    for (const floor of [1, 50, 100, 400]) {
      const options = { ...PEKKO, windowSamplesMax: 10, minStdDevMs: floor }
      const { state } = feed(options, Array(20).fill(1000))
      assert.equal(stdDevMs(state, options), floor)
    }
  })

  test('acceptableHeartbeatPauseMs shifts the curve right by exactly the pause', () => {
    const base = { ...PEKKO, windowSamplesMax: 20 }
    const paused = { ...base, acceptableHeartbeatPauseMs: 3000 }
    const intervals = Array(30).fill(1000)
    const a = feed(base, intervals)
    const b = feed(paused, intervals)
    for (const silence of [500, 1000, 1300, 1600]) {
      close(phi(b.state, b.lastMs + silence + 3000, paused), phi(a.state, a.lastMs + silence, base), 1e-9, `silence ${silence}`)
    }
    close(elapsedForPhi(b.state, 8, paused) - elapsedForPhi(a.state, 8, base), 3000, 1e-6, 'elapsedForPhi shift')
  })

  test('Pekko: accepts configured missing heartbeats, fails after them', () => {
    const options = { ...PEKKO, acceptableHeartbeatPauseMs: 3000 }
    const a = feed(options, [1000, 1000, 1000])
    assert.ok(phi(a.state, a.lastMs + 4000, options) < 8)
    const b = feed(options, [1000, 1000, 1000, 1000, 1000, 1000])
    assert.ok(phi(b.state, b.lastMs + 5000, options) >= 8)
  })

  test('Pekko: suspected after missed heartbeats (threshold 3)', () => {
    const { state, lastMs } = feed(PEKKO, [1000, 100])
    assert.ok(phi(state, lastMs + 100, PEKKO) < 3)
    assert.ok(phi(state, lastMs + 7100, PEKKO) >= 3)
  })

  test('ignoreIntervalAbovePhi: the interval of a late arrival is not sampled (Pekko recovery)', () => {
    const options = { ...PEKKO, ignoreIntervalAbovePhi: 8, acceptableHeartbeatPauseMs: 3000 }
    const plain = { ...PEKKO, acceptableHeartbeatPauseMs: 3000 }
    const intervals = [...Array(999).fill(1000), 5 * 60_000, 100]
    const skipped = feed(options, intervals)
    const sampled = feed(plain, intervals)
    assert.equal(lastArrivalMs(skipped.state), lastArrivalMs(sampled.state))
    assert.equal(sampleCount(skipped.state), 1000)
    assert.ok(stdDevMs(skipped.state, options) < 120, `sd ${stdDevMs(skipped.state, options)}`)
    assert.ok(stdDevMs(sampled.state, plain) > 9000, `sd ${stdDevMs(sampled.state, plain)}`)
    // Pekko: after 1000 regular beats and a 5 min pause, a 7 s pause is unreachable again.
    const after = feed(options, [...intervals, 900, 100])
    assert.ok(phi(after.state, after.lastMs + 7000, options) >= 8)
  })

  test('recording from a consumed state throws instead of corrupting the shared window', () => {
    const s0 = recordHeartbeat(createPhiState(PEKKO), 0, PEKKO)
    const s1 = recordHeartbeat(s0, 1000, PEKKO)
    assert.throws(() => recordHeartbeat(s0, 1500, PEKKO), /consumed/)
    // Reads of an old state still describe its own moment.
    assert.equal(sampleCount(s0), 2)
    assert.equal(sampleCount(s1), 3)
    assert.equal(phi(s0, 1000, PEKKO), phi(recordHeartbeat(createPhiState(PEKKO), 0, PEKKO), 1000, PEKKO))
  })

  test('an arrival earlier than the last counts as a 0 ms interval and keeps the last arrival', () => {
    const options = { ...PEKKO, windowSamplesMax: 1 }
    const { state } = feed(options, [1000])
    const back = recordHeartbeat(state, 500, options)
    assert.equal(lastArrivalMs(back), 1000)
    assert.equal(meanIntervalMs(back, options), 0)
  })

  test('invalid options and times throw RangeError', () => {
    for (const bad of [{ windowSamplesMax: 0 }, { windowSamplesMax: 1.5 }, { minStdDevMs: 0 }, { acceptableHeartbeatPauseMs: -1 }, { firstHeartbeatEstimateMs: 0 }, { minStdDevMs: Number.NaN }]) {
      assert.throws(() => createPhiState({ ...PEKKO, ...bad }), RangeError, JSON.stringify(bad))
    }
    const s = createPhiState(PEKKO)
    assert.throws(() => recordHeartbeat(s, Number.NaN, PEKKO), RangeError)
    assert.throws(() => phi(s, Number.POSITIVE_INFINITY, PEKKO), RangeError)
    assert.throws(() => elapsedForPhi(s, Number.NaN, PEKKO), RangeError)
  })
})

describe('elapsedForPhi', () => {
  const steady = { ...PEKKO, windowSamplesMax: 100 }
  const { state, lastMs } = feed(steady, Array(200).fill(1000))

  // Regular 1 s beats, minStdDev 100 ms: the silence at which phi reaches each threshold.
  const table: [number, number][] = [[0.30103, 1000], [1, 1128.2215], [3, 1305.8938], [8, 1522.5987], [12, 1629.2124], [16, 1711.9681]]
  for (const [threshold, expected] of table) {
    test(`phi ${threshold} after ${expected} ms of silence (mean 1000 ms, minStdDev 100 ms)`, () => {
      close(elapsedForPhi(state, threshold, steady), expected, 0.001, 'elapsed')
    })
  }

  test('round trip: phi(last + elapsedForPhi(t)) = t within 0.01', () => {
    for (const threshold of [0.01, 0.1, 0.5, 1, 2, 5, 8, 10, 20, 50, 500]) {
      close(phi(state, lastMs + elapsedForPhi(state, threshold, steady), steady), threshold, 0.01, `threshold ${threshold}`)
    }
  })

  test('clamped at 0 when phi is already past the threshold at 0 ms', () => {
    assert.equal(elapsedForPhi(state, 0, steady), 0)
    assert.equal(elapsedForPhi(state, -3, steady), 0)
  })

  test('before the first arrival it answers for the seeded window', () => {
    const fresh = createPhiState(PEKKO)
    const seeded = recordHeartbeat(fresh, 0, PEKKO)
    assert.equal(elapsedForPhi(fresh, 8, PEKKO), elapsedForPhi(seeded, 8, PEKKO))
    close(phi(seeded, elapsedForPhi(seeded, 8, PEKKO), PEKKO), 8, 1e-9, 'phi')
  })

  test('property: exact to < 1 ms for arbitrary windows and thresholds', () => {
    fc.assert(fc.property(
      fc.array(fc.double({ min: 1, max: 10_000, noNaN: true }), { minLength: 1, maxLength: 60 }),
      fc.double({ min: 0.5, max: 60, noNaN: true }),
      fc.double({ min: 0.001, max: 1000, noNaN: true }),
      (intervals, threshold, minStdDevMs) => {
        const options = { ...PEKKO, windowSamplesMax: 20, minStdDevMs }
        const { state: s, lastMs: t } = feed(options, intervals)
        const e = elapsedForPhi(s, threshold, options)
        if (e === 0) return phi(s, t, options) >= threshold
        // Bisection oracle on phi itself: where it crosses the threshold, to 1e-6 ms.
        let lo = 0, hi = e * 2 + 1
        for (let i = 0; i < 200 && hi - lo > 1e-6; i++) {
          const mid = (lo + hi) / 2
          if (phi(s, t + mid, options) < threshold) lo = mid
          else hi = mid
        }
        return Math.abs(e - lo) < 1
      }
    ), { seed: 42, numRuns: 300 })
  })
})

describe('properties', () => {
  const optionsArb = fc.record({
    windowSamplesMax: fc.integer({ min: 1, max: 40 }),
    minStdDevMs: fc.double({ min: 1e-6, max: 500, noNaN: true }),
    acceptableHeartbeatPauseMs: fc.double({ min: 0, max: 5000, noNaN: true }),
    firstHeartbeatEstimateMs: fc.double({ min: 1, max: 5000, noNaN: true })
  })
  const intervalsArb = fc.array(fc.double({ min: 0, max: 100_000, noNaN: true }), { maxLength: 120 })

  test('phi is finite, >= 0 and non-decreasing in time', () => {
    fc.assert(fc.property(optionsArb, intervalsArb, fc.array(fc.double({ min: -1e4, max: 1e9, noNaN: true }), { minLength: 2, maxLength: 30 }), (options, intervals, offsets) => {
      const { state, lastMs } = feed(options, intervals, 1_700_000_000_000)
      const values = offsets.sort((a, b) => a - b).map((o) => phi(state, lastMs + o, options))
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!
        if (!Number.isFinite(v) || v < 0 || v > PHI_MAX) return false
        if (i > 0 && v < values[i - 1]!) return false
      }
      return true
    }), { seed: 7, numRuns: 500 })
  })

  test('mean and deviation equal a naive recomputation of the window', () => {
    fc.assert(fc.property(optionsArb, intervalsArb, (options, intervals) => {
      const { state } = feed(options, intervals)
      const expected = naive(options, intervals)
      // Relative 1e-6 of the spread: for 1 s beats with 100 s outliers, well under a microsecond
      // on the mean and a millisecond on the deviation, far below any minStdDevMs one would set.
      const tolerance = 1e-6 * expected.spread + 1e-12
      return Math.abs(meanIntervalMs(state, options) - expected.mean) <= tolerance &&
        Math.abs(stdDevMs(state, options) - Math.max(expected.sd, options.minStdDevMs)) <= tolerance &&
        sampleCount(state) === Math.min(options.windowSamplesMax, intervals.length + 2)
    }), { seed: 11, numRuns: 1000 })
  })

  test('running sums do not drift over many windows of fractional intervals', () => {
    const options = { ...PEKKO, windowSamplesMax: 50, minStdDevMs: 1e-9 }
    const intervals = Array.from({ length: 20_000 }, (_, i) => 1000 + 37.123456789 * Math.sin(i * 1.7))
    const { state } = feed(options, intervals)
    const expected = naive(options, intervals)
    close(meanIntervalMs(state, options), expected.mean, 1e-6, 'mean')
    close(stdDevMs(state, options), expected.sd, 1e-3, 'sd')
  })
})

describe('intervalSampleMaxMs', () => {
  test('long intervals are sampled at the cap: steady loss widens the margin, an outage adds at most the cap', () => {
    const options = { windowSamplesMax: 100, minStdDevMs: 100, acceptableHeartbeatPauseMs: 0, firstHeartbeatEstimateMs: 1000, intervalSampleMaxMs: 3000 }
    let s = createPhiState(options)
    let t = 0
    s = recordHeartbeat(s, t, options)
    // 10 % loss: every tenth heartbeat missing, so one interval in ten is 2 s.
    for (let i = 1; i <= 100; i++) {
      t += i % 10 === 0 ? 2000 : 1000
      s = recordHeartbeat(s, t, options)
    }
    assert.ok(elapsedForPhi(s, 8, options) > 2100, `a single lost heartbeat (2 s gap) is no longer suspicious: phi 8 at ${elapsedForPhi(s, 8, options).toFixed(0)} ms`)
    const before = meanIntervalMs(s, options)
    s = recordHeartbeat(s, t + 60_000, options)
    assert.ok(meanIntervalMs(s, options) - before <= (3000 - 1000) / 100 + 1, 'a 60 s outage is sampled as 3 s')
  })
})

describe('arrivals the observer cannot judge', () => {
  test('recorded without a sample: the arrival moves on, the window does not learn the gap', () => {
    const options = { windowSamplesMax: 100, minStdDevMs: 100, acceptableHeartbeatPauseMs: 0, firstHeartbeatEstimateMs: 1000 }
    const { state, lastMs } = feed(options, Array.from({ length: 50 }, () => 1000))
    const mean = meanIntervalMs(state, options)
    const count = sampleCount(state)
    const after = recordHeartbeat(state, lastMs + 3000, options, false)
    assert.equal(lastArrivalMs(after), lastMs + 3000)
    assert.equal(sampleCount(after), count)
    assert.equal(meanIntervalMs(after, options), mean)
    const learned = recordHeartbeat(feed(options, Array.from({ length: 50 }, () => 1000)).state, lastMs + 3000, options)
    assert.ok(meanIntervalMs(learned, options) > mean, 'sampled, the same gap would have raised the mean')
  })
})
