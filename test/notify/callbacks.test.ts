import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { CallbackDispatcher, LISTENERS_MAX } from '../../src/notify/callbacks.ts'

describe('in-process callbacks', () => {
  test('every listener gets every event; throwing and rejecting listeners are counted, not propagated', async () => {
    const errors: unknown[] = []
    const d = new CallbackDispatcher<number>((e) => errors.push(e))
    const seen: number[] = []
    d.on((n) => { seen.push(n) })
    d.on(() => { throw new Error('sync boom') })
    d.on(async () => { throw new Error('async boom') })
    d.on((n) => { seen.push(n * 10) })
    d.dispatch(1)
    d.dispatch(2)
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(seen, [1, 10, 2, 20])
    assert.equal(d.errors, 4)
    assert.equal(errors.length, 4)
    assert.equal(d.dispatched, 2)
  })

  test('unsubscribe, and a bound on listeners (a leak shows up as an error, not as memory)', () => {
    const d = new CallbackDispatcher<string>()
    const seen: string[] = []
    const off = d.on((s) => { seen.push(s) })
    d.dispatch('a')
    off()
    d.dispatch('b')
    assert.deepEqual(seen, ['a'])
    for (let i = 0; i < LISTENERS_MAX; i++) d.on(() => {})
    assert.throws(() => d.on(() => {}), /at most 100/)
  })

  test('a failing error reporter does not break dispatch', () => {
    const d = new CallbackDispatcher<number>(() => { throw new Error('reporter down') })
    d.on(() => { throw new Error('x') })
    assert.doesNotThrow(() => d.dispatch(1))
    assert.equal(d.errors, 1)
  })
})
