import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { SecondChanceMap } from '../../src/runtime/second-chance-map.ts'

/** The bounded map behind the anti-replay windows and receive budgets. */
describe('second-chance map', () => {
  const v = (n: number) => ({ n, used: false })

  test('never holds more than max; an entry read since its last chance outlives one that was not', () => {
    const m = new SecondChanceMap<string, { n: number; used: boolean }>(3)
    m.set('a', v(1))
    m.set('b', v(2))
    m.set('c', v(3))
    assert.equal(m.get('a')?.n, 1) // a is used: spared once
    m.set('d', v(4))
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => m.get(k)?.n), [1, undefined, 3, 4], 'b, the oldest unused, is forgotten')
    for (let i = 0; i < 1000; i++) m.set(`k${i}`, v(i))
    assert.equal(m.size, 3)
  })

  test('a recently read key survives a stream of new keys that are never read again', () => {
    const m = new SecondChanceMap<string, { n: number; used: boolean }>(10)
    m.set('hot', v(0))
    for (let i = 0; i < 500; i++) {
      assert.ok(m.get('hot') !== undefined, `round ${i}`)
      m.set(`cold${i}`, v(i))
    }
  })

  test('set on an existing key replaces it in place, evicting nothing', () => {
    const m = new SecondChanceMap<string, { n: number; used: boolean }>(2)
    m.set('a', v(1))
    m.set('b', v(2))
    m.set('a', v(3))
    assert.deepEqual([m.get('a')?.n, m.get('b')?.n, m.size], [3, 2, 2])
    assert.throws(() => new SecondChanceMap(0), RangeError)
  })
})
