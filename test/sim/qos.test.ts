import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { computeQos, DEFAULT_CHECKS } from '../../src/sim/checkers/index.ts'
import { subtract, union } from '../../src/sim/checkers/qos.ts'
import { everyoneAlive } from '../fixtures/hand-trace.ts'
import { EV, ST, type Trace } from '../../src/sim/trace.ts'

/**
 * The QoS metrics (Chen, Toueg and Aguilera) on hand-made traces: each figure worked out by hand
 * from the definitions in src/sim/checkers/qos.ts. 4 nodes, window [0, 100 s]: 12 ordered pairs,
 * 1,200,000 pair-ms when nothing is faulty.
 */
const N = 4
const ids = ['n0', 'n1', 'n2', 'n3']
const opts = { ...DEFAULT_CHECKS, graceMs: 1000, detectionBoundMs: 5000 }
const END = 100_000

const fresh = (): ReturnType<typeof everyoneAlive> => everyoneAlive(ids)

/** Plays view changes, in time order: [ms, observer index, subject id, state entered]. */
function play(trace: Trace, rows: readonly [number, number, string, 'alive' | 'suspect' | 'dead'][]): void {
  const event = { alive: EV.recovered, suspect: EV.suspected, dead: EV.dead }
  for (const [t, o, p, state] of [...rows].sort((a, b) => a[0] - b[0])) trace.record(t, o, event[state], p, ST[state], true)
}

describe('QoS intervals', () => {
  test('union merges, subtract leaves the eligible pieces', () => {
    assert.deepEqual(union([0, 10, 20, 30], [5, 22, 40, 50]), [0, 30, 40, 50])
    assert.deepEqual(union([], [1, 2]), [1, 2])
    assert.deepEqual(subtract(0, 100, [10, 20, 50, 60]), [[0, 10], [20, 50], [60, 100]])
    assert.deepEqual(subtract(15, 55, [10, 20, 50, 60]), [[20, 50]])
    assert.deepEqual(subtract(12, 18, [10, 20]), [])
  })
})

describe('QoS metrics', () => {
  test('no faults, no suspicion: P_A 1, no mistakes, infinite recurrence', () => {
    const { trace, faults } = fresh()
    const q = computeQos(trace, faults, opts, N, 0, END)
    assert.equal(q.mistakes, 0)
    assert.equal(q.queryAccuracy, 1)
    assert.equal(q.mistakeRecurrenceMs.meanMs, null)
    assert.equal(q.mistakeRecurrenceMs.count, 0)
    assert.equal(q.pairHours, 0.33)
    assert.equal(q.detectionMs.pairs, 0)
  })

  test('two mistakes of one pair: durations, one recurrence, rate and P_A', () => {
    const { trace, faults } = fresh()
    trace.record(10_000, 0, EV.suspected, 'n1', ST.suspect, true)
    trace.record(12_000, 0, EV.recovered, 'n1', ST.alive, true)
    trace.record(40_000, 0, EV.suspected, 'n1', ST.suspect, true)
    trace.record(41_000, 0, EV.dead, 'n1', ST.dead, true) // suspect -> dead is the same mistake
    trace.record(45_000, 0, EV.recovered, 'n1', ST.alive, true)
    const q = computeQos(trace, faults, opts, N, 0, END)
    assert.equal(q.mistakes, 2)
    assert.deepEqual([q.mistakeDurationMs.p50, q.mistakeDurationMs.max, q.mistakeDurationMs.meanMs], [2000, 5000, 3500])
    assert.deepEqual([q.mistakeRecurrenceMs.count, q.mistakeRecurrenceMs.p50], [1, 30_000])
    assert.equal(q.mistakeRecurrenceMs.meanMs, 600_000) // 1.2e6 eligible pair-ms / 2 mistakes
    assert.equal(q.mistakesPerPairHour, 6)
    assert.equal(q.queryAccuracy, 0.994167) // 1 - 7,000 / 1,200,000
  })

  test('T_D is the start of permanent suspicion; crashed subjects make no mistakes', () => {
    const { trace, faults } = fresh()
    faults.start(1, 'crash', 20_000)
    play(trace, [
      [21_000, 0, 'n1', 'suspect'], [23_000, 0, 'n1', 'dead'], // n0: T_D 1,000
      [21_500, 2, 'n1', 'suspect'], [22_000, 2, 'n1', 'alive'], [24_000, 2, 'n1', 'suspect'] // n2: T_D 4,000
    ])
    const q = computeQos(trace, faults, opts, N, 0, END)
    assert.deepEqual([q.detectionMs.pairs, q.detectionMs.count, q.detectionMs.undetected], [3, 2, 1]) // n3 never suspects
    assert.deepEqual([q.detectionMs.p50, q.detectionMs.max], [1000, 4000])
    assert.equal(q.mistakes, 0)
    assert.equal(q.queryAccuracy, 1)
    assert.equal(q.pairHours, 0.2) // 1.2e6 - 6 pairs x 80,000 ms with n1 down = 720,000 pair-ms
  })

  test('a crash shorter than the bound, or too close to the end, is not a detection sample', () => {
    const { trace, faults } = fresh()
    faults.start(1, 'crash', 20_000)
    faults.end(1, 'crash', 22_000)
    faults.start(2, 'crash', 97_000)
    assert.equal(computeQos(trace, faults, opts, N, 0, END).detectionMs.pairs, 0)
  })

  test('only eligible time counts: a long pause, a slow observer, a link fault, the window end', () => {
    const { trace, faults } = fresh()
    // n2 paused 10 s (past the 3 s tolerance): not running until 21 s (grace 1 s).
    faults.start(2, 'pause', 10_000)
    faults.end(2, 'pause', 20_000)
    trace.record(12_000, 0, EV.suspected, 'n2', ST.suspect, true)
    trace.record(25_000, 0, EV.recovered, 'n2', ST.alive, true) // mistake [21 s, 25 s): 4,000
    // n3 slow for 10 s: not a healthy observer until 61 s.
    faults.start(3, 'slow', 50_000)
    faults.end(3, 'slow', 60_000)
    trace.record(55_000, 3, EV.suspected, 'n1', ST.suspect, true)
    trace.record(65_000, 3, EV.recovered, 'n1', ST.alive, true) // mistake [61 s, 65 s): 4,000
    // n1 behind a link fault: it still runs, so suspecting it is a mistake (counted as during a link fault).
    faults.start(1, 'link', 70_000)
    faults.end(1, 'link', 80_000)
    trace.record(72_000, 0, EV.suspected, 'n1', ST.suspect, true)
    trace.record(74_000, 0, EV.recovered, 'n1', ST.alive, true) // 2,000
    // Open at the end of the window: cut there.
    trace.record(95_000, 3, EV.suspected, 'n0', ST.suspect, true) // 5,000
    const q = computeQos(trace, faults, opts, N, 0, END)
    assert.equal(q.mistakes, 4)
    assert.equal(q.mistakesDuringLinkFaults, 1)
    assert.deepEqual([q.mistakeDurationMs.count, q.mistakeDurationMs.max, q.mistakeDurationMs.meanMs], [4, 5000, 3750])
    // Bad time, 11 s each: n2 as subject and as observer (a pause is an observer fault too) [10, 21) s,
    // n3 as observer [50, 61) s, n1 as observer [70, 81) s (a link fault), each for 3 pairs, and no
    // two overlap. Eligible = 1.2e6 - 12 x 11,000 = 1,068,000 pair-ms; wrong 15,000.
    assert.equal(q.queryAccuracy, Math.round((1 - 15_000 / 1_068_000) * 1e6) / 1e6)
    assert.equal(q.mistakeRecurrenceMs.meanMs, 1_068_000 / 4)
  })
})
