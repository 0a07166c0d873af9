import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createAwareness, holdsVerdicts, onEventLoopLag, onOwnHeartbeat, onProbeAnswered, timeoutMultiplier, withholdsDead } from '../../src/detector/awareness.ts'

const options = { heartbeatIntervalMs: 1000, awarenessMax: 8, eventLoopLagMsMax: 250 }

describe('local health awareness (Lifeguard)', () => {
  test('timely heartbeats keep the score at 0 and the multiplier at 1', () => {
    let a = createAwareness()
    for (let i = 0; i < 10; i++) a = onOwnHeartbeat(a, 5, i * 1000, options)
    assert.equal(a.score, 0)
    assert.equal(timeoutMultiplier(a), 1)
  })

  test('late heartbeats raise the score by one per interval of lateness; timely ones heal by one', () => {
    let a = onOwnHeartbeat(createAwareness(), 600, 0, options)
    assert.equal(a.score, 1)
    a = onOwnHeartbeat(a, 2500, 3000, options)
    assert.equal(a.score, 4)
    a = onOwnHeartbeat(a, 0, 4000, options)
    assert.equal(a.score, 3)
    assert.equal(timeoutMultiplier(a), 4)
  })

  test('an answered probe heals by one too (memberlist), never below 0', () => {
    let a = onOwnHeartbeat(createAwareness(), 3000, 0, options)
    assert.equal(a.score, 3)
    a = onProbeAnswered(onProbeAnswered(a, options), options)
    assert.equal(a.score, 1)
    a = onProbeAnswered(onProbeAnswered(a, options), options)
    assert.equal(a.score, 0)
  })

  test('a pause (late by more than an interval) holds verdicts for two intervals', () => {
    const a = onOwnHeartbeat(createAwareness(), 3000, 10_000, options)
    assert.equal(holdsVerdicts(a, 11_999), true)
    assert.equal(holdsVerdicts(a, 12_000), false)
  })

  test('event-loop lag above the limit counts against health; the score is capped', () => {
    let a = createAwareness()
    a = onEventLoopLag(a, 100, options)
    assert.equal(a.score, 0)
    for (let i = 0; i < 20; i++) a = onEventLoopLag(a, 400, options)
    assert.equal(a.score, 8)
  })

  test('dead verdicts are withheld from half the maximum score up', () => {
    assert.equal(withholdsDead({ score: 3, holdUntilMs: 0 }, options), false)
    assert.equal(withholdsDead({ score: 4, holdUntilMs: 0 }, options), true)
    assert.equal(withholdsDead({ score: 4, holdUntilMs: 0 }, { ...options, awarenessMax: 0 }), false)
  })
})
