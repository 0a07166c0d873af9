/**
 * Damping (Consul's failuresBeforeCritical / successesBeforePassing), Nagios' weighted percent
 * state change with its hysteresis, and stepCheck that combines them, on tables.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { initialCheckState, reportOf, stepCheck, type CheckEffect, type CheckPolicy, type CheckState } from '../../src/checks/check-state.ts'
import { damp, NO_STREAK, type DampingPolicy } from '../../src/checks/damping.ts'
import { FLAP_HISTORY_LENGTH, nextFlapping, percentStateChange, recordResult } from '../../src/checks/flapping.ts'
import type { CheckStatus } from '../../src/health/types.ts'

const P: CheckStatus = 'passing', W: CheckStatus = 'warning', C: CheckStatus = 'critical', U: CheckStatus = 'unknown'

/** Feeds results through damp() from `start`, returning the reported status after each. */
function dampAll(start: CheckStatus, results: CheckStatus[], policy: DampingPolicy): CheckStatus[] {
  let counters = NO_STREAK
  let status = start
  return results.map((result) => {
    const next = damp(counters, status, result, policy)
    counters = next.counters
    status = next.status
    return status
  })
}

describe('damping', () => {
  const table: { name: string; start: CheckStatus; policy: DampingPolicy; results: CheckStatus[]; reported: CheckStatus[] }[] = [
    { name: '0/0 reports every result at once', start: P, policy: { failuresBeforeCritical: 0, successesBeforePassing: 0 }, results: [C, P, W, U, P], reported: [C, P, W, U, P] },
    { name: '1/1 is the same as 0/0', start: P, policy: { failuresBeforeCritical: 1, successesBeforePassing: 1 }, results: [C, P, C], reported: [C, P, C] },
    { name: 'failuresBeforeCritical 3 needs three failures in a row', start: P, policy: { failuresBeforeCritical: 3, successesBeforePassing: 0 }, results: [C, C, P, C, C, C], reported: [P, P, P, P, P, C] },
    { name: 'unknown counts as a failure', start: P, policy: { failuresBeforeCritical: 2, successesBeforePassing: 0 }, results: [U, C], reported: [P, C] },
    { name: 'warning counts as a success, reported at once from passing', start: P, policy: { failuresBeforeCritical: 3, successesBeforePassing: 0 }, results: [W, C, W], reported: [W, W, W] },
    { name: 'successesBeforePassing 2 holds a recovery back', start: C, policy: { failuresBeforeCritical: 0, successesBeforePassing: 2 }, results: [P, C, P, P, P], reported: [C, C, C, P, P] },
    { name: 'a warning recovery is held back too', start: C, policy: { failuresBeforeCritical: 0, successesBeforePassing: 3 }, results: [W, P, W], reported: [C, C, W] },
    { name: 'unknown before the first result stays until the threshold', start: U, policy: { failuresBeforeCritical: 0, successesBeforePassing: 2 }, results: [P, P], reported: [U, P] }
  ]
  for (const row of table) {
    test(row.name, () => assert.deepEqual(dampAll(row.start, row.results, row.policy), row.reported))
  }
})

/** A history with a change at each of the given positions (1..20, newest is 20) of a full window. */
function historyWithChangesAt(positions: number[]): CheckStatus[] {
  const history: CheckStatus[] = [P]
  for (let x = 1; x < FLAP_HISTORY_LENGTH; x++) {
    const previous = history[x - 1]!
    history.push(positions.includes(x) ? (previous === P ? C : P) : previous)
  }
  return history
}

describe('percent state change (Nagios base/flapping.c)', () => {
  const table: [string, CheckStatus[], number][] = [
    ['no change', Array<CheckStatus>(21).fill(P), 0],
    ['one change, the oldest position: weight 0.75', historyWithChangesAt([1]), 3.75],
    ['one change, the newest position: weight 1.25', historyWithChangesAt([20]), 6.25],
    ['a change at every position: 100 %', historyWithChangesAt(Array.from({ length: 20 }, (_, i) => i + 1)), 100],
    ['the middle two positions weigh 1 on average', historyWithChangesAt([10, 11]), 10],
    ['passing to warning is a change too', [P, W], 6.25],
    ['a short history counts as the newest slots', [P, C, P], (1.25 + (0.75 + (18 * 0.5) / 19)) * 5]
  ]
  for (const [name, history, percent] of table) {
    test(name, () => assert.ok(Math.abs(percentStateChange(history) - percent) < 1e-9, `${percentStateChange(history)} != ${percent}`))
  }

  test('recordResult keeps the newest 21', () => {
    let history: CheckStatus[] = []
    for (let i = 0; i < 30; i++) history = recordResult(history, i % 2 === 0 ? P : C)
    assert.equal(history.length, 21)
    assert.equal(history.at(-1), C)
  })

  const thresholds = { flapThresholdHighPercent: 20, flapThresholdLowPercent: 5 }
  const hysteresis: [boolean, number, boolean][] = [
    [false, 19.9, false], [false, 20, true], [true, 19.9, true], [true, 5.1, true], [true, 5, false], [false, 4, false], [false, 12, false]
  ]
  for (const [was, percent, is] of hysteresis) {
    test(`flapping ${was} at ${percent} % -> ${is}`, () => assert.equal(nextFlapping(was, percent, thresholds), is))
  }
})

describe('stepCheck', () => {
  const policy: CheckPolicy = { failuresBeforeCritical: 0, successesBeforePassing: 0, flapThresholdHighPercent: 20, flapThresholdLowPercent: 5 }
  const result = (status: CheckStatus, output = status) => ({ status, output, longOutput: '' })

  function run(results: CheckStatus[], p: CheckPolicy = policy): { state: CheckState; effects: CheckEffect[][] } {
    let state = initialCheckState('c', 0, 'not run yet')
    const effects: CheckEffect[][] = []
    results.forEach((status, i) => {
      const step = stepCheck(state, result(status), (i + 1) * 1000, p)
      state = step.state
      effects.push(step.effects)
    })
    return { state, effects }
  }

  test('before any result: unknown, with the pending output', () => {
    assert.deepEqual(reportOf(initialCheckState('c', 5, 'not run yet')), { id: 'c', status: 'unknown', flapping: false, output: 'not run yet', lastRunAtMs: undefined, sinceMs: 5 })
  })

  test('a status change is an effect, and sets sinceMs; an unchanged status is not', () => {
    const { state, effects } = run([P, P, C])
    assert.deepEqual(effects, [[{ type: 'status:changed', from: 'unknown', to: 'passing' }], [], [{ type: 'status:changed', from: 'passing', to: 'critical' }]])
    assert.equal(state.sinceMs, 3000)
    assert.equal(state.lastRunAtMs, 3000)
  })

  test('a check alternating every run starts flapping, and stops once it settles', () => {
    const alternating = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? P : C))
    const { state, effects } = run([...alternating, ...Array<CheckStatus>(21).fill(P)])
    const started = effects.findIndex((e) => e.some((x) => x.type === 'flapping:started'))
    const stopped = effects.findIndex((e) => e.some((x) => x.type === 'flapping:stopped'))
    assert.ok(started > 0 && started < 10, `started at ${started}`)
    assert.ok(stopped > started, `stopped at ${stopped}`)
    assert.equal(state.flapping, false)
  })

  test('damping holds the status while flap detection still sees every result', () => {
    const { state } = run(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? P : C)), { ...policy, failuresBeforeCritical: 2 })
    assert.equal(state.status, 'passing')
    assert.equal(state.flapping, true)
    assert.equal(state.last?.status, 'critical')
  })
})
