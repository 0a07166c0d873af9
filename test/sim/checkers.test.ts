import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { checkConvergence, checkDetection, checkFalseDeaths, checkFlapping, DEFAULT_CHECKS } from '../../src/sim/checkers/index.ts'
import { everyoneAlive } from '../fixtures/hand-trace.ts'
import { EV, ST, type Trace } from '../../src/sim/trace.ts'

/**
 * Each checker on crafted traces and fault logs: the cases that must pass and the ones that must
 * fail, so the definitions (src/sim/checkers/*.ts) are pinned down by examples.
 */
const N = 4
const ids = ['n0', 'n1', 'n2', 'n3']
const opts = { ...DEFAULT_CHECKS, graceMs: 1000, detectionBoundMs: 5000, flapsMax: 3, flapWindowMs: 60_000 }

const fresh = (): ReturnType<typeof everyoneAlive> => everyoneAlive(ids)

describe('no-false-deaths', () => {
  test('a healthy observer declaring a healthy node dead fails', () => {
    const { trace, faults } = fresh()
    trace.record(50_000, 0, EV.suspected, 'n1', ST.suspect, true)
    trace.record(52_000, 0, EV.dead, 'n1', ST.dead, true)
    const r = checkFalseDeaths(trace, faults, opts)
    assert.equal(r.pass, false)
    assert.equal(r.falseDeaths, 1)
    assert.equal(r.falseSuspects, 1)
    assert.deepEqual(r.examples[0], { atMs: 52_000, observer: 'n0', subject: 'n1', ownDetector: true })
  })

  test('dead verdicts about crashed nodes, or made by faulty observers, pass', () => {
    const { trace, faults } = fresh()
    faults.start(1, 'crash', 40_000)
    trace.record(42_000, 0, EV.dead, 'n1', ST.dead, true)
    faults.start(2, 'slow', 10_000)
    trace.record(45_000, 2, EV.dead, 'n3', ST.dead, true)
    faults.start(3, 'link', 60_000)
    faults.end(3, 'link', 70_000)
    trace.record(70_500, 0, EV.dead, 'n3', ST.dead, false) // within grace after the link fault
    assert.equal(checkFalseDeaths(trace, faults, opts).pass, true)
  })

  test('a short pause is no excuse, a pause past the tolerance is', () => {
    const { trace, faults } = fresh()
    faults.start(1, 'pause', 10_000)
    faults.end(1, 'pause', 12_000)
    trace.record(12_500, 0, EV.dead, 'n1', ST.dead, true)
    assert.equal(checkFalseDeaths(trace, faults, opts).falseDeaths, 1)
    const b = fresh()
    b.faults.start(1, 'pause', 10_000)
    b.faults.end(1, 'pause', 18_000)
    b.trace.record(15_000, 0, EV.dead, 'n1', ST.dead, true)
    assert.equal(checkFalseDeaths(b.trace, b.faults, opts).pass, true)
  })

  test('a slow subject must not be declared dead', () => {
    const { trace, faults } = fresh()
    faults.start(1, 'slow', 10_000)
    trace.record(20_000, 0, EV.dead, 'n1', ST.dead, true)
    assert.equal(checkFalseDeaths(trace, faults, opts).pass, false)
  })
})

describe('detection-bound', () => {
  test('every healthy observer sees the crash dead within the bound: pass, with latencies', () => {
    const { trace, faults } = fresh()
    faults.start(3, 'crash', 30_000)
    trace.record(31_000, 0, EV.suspected, 'n3', ST.suspect, true)
    trace.record(32_000, 0, EV.dead, 'n3', ST.dead, true)
    trace.record(32_100, 1, EV.dead, 'n3', ST.dead, false)
    trace.record(31_500, 2, EV.suspected, 'n3', ST.suspect, true)
    trace.record(33_000, 2, EV.dead, 'n3', ST.dead, true)
    const r = checkDetection(trace, faults, opts, N, 100_000)
    assert.equal(r.pass, true)
    assert.equal(r.crashes, 1)
    assert.deepEqual(r.suspectMs, [1000, 2100, 1500])
    assert.deepEqual(r.deadMs, [2000, 2100, 3000])
  })

  test('an observer that never sees it dead, or sees it too late, fails', () => {
    const { trace, faults } = fresh()
    faults.start(3, 'crash', 30_000)
    trace.record(32_000, 0, EV.dead, 'n3', ST.dead, true)
    trace.record(36_000, 1, EV.dead, 'n3', ST.dead, false)
    const r = checkDetection(trace, faults, opts, N, 100_000)
    assert.equal(r.pass, false)
    assert.equal(r.late, 1)
    assert.equal(r.undetected, 1)
  })

  test('faulty observers are not held to the bound; a crash undone within the bound is skipped', () => {
    const { trace, faults } = fresh()
    faults.start(3, 'crash', 30_000)
    faults.start(1, 'pause', 29_000)
    faults.end(1, 'pause', 31_000)
    faults.start(2, 'left', 10_000)
    trace.record(32_000, 0, EV.dead, 'n3', ST.dead, true)
    faults.start(0, 'crash', 80_000)
    faults.end(0, 'crash', 81_000)
    const r = checkDetection(trace, faults, opts, N, 100_000)
    assert.equal(r.pass, true)
    assert.equal(r.pairs, 1)
    assert.equal(r.skipped, 1)
  })
})

describe('convergence', () => {
  test('final views as expected: pass, timed from the reference', () => {
    const { trace } = fresh()
    trace.record(30_000, 0, EV.dead, 'n3', ST.dead, true)
    trace.record(30_500, 1, EV.dead, 'n3', ST.dead, false)
    trace.record(31_000, 2, EV.dead, 'n3', ST.dead, false)
    const r = checkConvergence(trace, ['running', 'running', 'running', 'crashed'], 29_000)
    assert.equal(r.pass, true)
    assert.equal(r.timeToConvergeMs, 2000)
  })

  test('a live node seen dead, or a crashed one seen alive, fails', () => {
    const { trace } = fresh()
    trace.record(30_000, 0, EV.dead, 'n3', ST.dead, true)
    trace.record(30_000, 1, EV.dead, 'n2', ST.dead, true)
    const r = checkConvergence(trace, ['running', 'running', 'running', 'crashed'], 29_000)
    assert.equal(r.pass, false)
    assert.equal(r.timeToConvergeMs, null)
    assert.equal(r.wrongPairs, 3) // n1 sees n2 dead; n1 and n2 still see n3 alive
  })

  test('a node that left must be seen left', () => {
    const { trace } = fresh()
    for (const o of [0, 1, 2]) trace.record(10_000, o, EV.left, 'n3', ST.left, true)
    assert.equal(checkConvergence(trace, ['running', 'running', 'running', 'left'], 9000).pass, true)
  })
})

describe('no-flapping', () => {
  const cycle = (trace: Trace, t: number): void => {
    trace.record(t, 0, EV.suspected, 'n1', ST.suspect, true)
    trace.record(t + 500, 0, EV.recovered, 'n1', ST.alive, true)
  }

  test('three false alarms about one peer within the window fail', () => {
    const { trace, faults } = fresh()
    for (const t of [10_000, 30_000, 50_000]) cycle(trace, t)
    const r = checkFlapping(trace, faults, opts, N)
    assert.equal(r.pass, false)
    assert.equal(r.flappingPairs, 1)
    assert.equal(r.falseAlarms, 3)
    assert.equal(r.falseAlarmsDuringLinkFaults, 0)
  })

  test('alarms about a peer cut off by a link fault are counted apart, as expected ones', () => {
    const { trace, faults } = fresh()
    faults.start(1, 'link', 25_000)
    faults.end(1, 'link', 60_000)
    for (const t of [10_000, 30_000, 50_000]) cycle(trace, t)
    const r = checkFlapping(trace, faults, opts, N)
    assert.equal(r.falseAlarms, 3)
    assert.equal(r.falseAlarmsDuringLinkFaults, 2)
  })

  test('two alarms, or alarms spread wider than the window, pass', () => {
    const { trace, faults } = fresh()
    for (const t of [10_000, 30_000, 200_000, 400_000]) cycle(trace, t)
    assert.equal(checkFlapping(trace, faults, opts, N).pass, true)
  })

  test('a peer that really crashed and came back is not flapping', () => {
    const { trace, faults } = fresh()
    for (const t of [10_000, 30_000, 50_000]) {
      faults.start(1, 'crash', t - 2000)
      faults.end(1, 'crash', t + 200)
      cycle(trace, t)
    }
    assert.equal(checkFlapping(trace, faults, opts, N).pass, true)
  })
})
