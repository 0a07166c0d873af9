import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { seededRandom } from '../../src/runtime/random.ts'
import { SlotIndex } from '../../src/runtime/slot-index.ts'
import { SecondChanceMap } from './second-chance-reference.ts'

/**
 * The bounded key-to-slot index behind the anti-replay windows and receive budgets, with a value
 * column kept beside it the way the tables keep theirs.
 */
class Table {
  readonly index: SlotIndex<string>
  values: number[] = []
  constructor(max: number, initialCapacity?: number) {
    this.index = new SlotIndex(max, initialCapacity)
  }
  get(key: string): number | undefined {
    const slot = this.index.get(key)
    return slot === -1 ? undefined : this.values[slot]
  }
  /** As SecondChanceMap.set with a fresh, unused value: in place for a held key, else added. */
  set(key: string, value: number): void {
    let slot = this.index.get(key)
    if (slot === -1) slot = this.index.add(key)
    else this.index.unmark(slot)
    this.values[slot] = value
  }
}

describe('slot index', () => {
  test('never holds more than max; a key read since its last chance outlives one that was not', () => {
    const m = new Table(3)
    m.set('a', 1)
    m.set('b', 2)
    m.set('c', 3)
    assert.equal(m.get('a'), 1) // a is used: spared once
    m.set('d', 4)
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => m.get(k)), [1, undefined, 3, 4], 'b, the oldest unused, is forgotten')
    for (let i = 0; i < 1000; i++) m.set(`k${i}`, i)
    assert.equal(m.index.size, 3)
  })

  test('a spared key goes to the back: the next evictions take the unused keys after it first', () => {
    const m = new Table(3)
    m.set('a', 1)
    m.set('b', 2)
    m.set('c', 3)
    m.get('a')
    m.get('b')
    m.set('d', 4) // a and b spared and moved behind c; c forgotten. Order now a, b, d
    m.set('e', 5) // a, b unmarked already: a forgotten
    assert.equal(m.index.size, 3)
    m.set('f', 6) // b forgotten
    assert.deepEqual(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => m.get(k)), [undefined, undefined, undefined, 4, 5, 6])
  })

  test('when every key was read, a full turn unmarks them all and forgets the oldest', () => {
    const m = new Table(3)
    for (const k of ['a', 'b', 'c']) m.set(k, 0)
    for (const k of ['a', 'b', 'c']) m.get(k)
    m.set('d', 0)
    assert.deepEqual(['b', 'c', 'd'].map((k) => m.index.get(k) !== -1), [true, true, true])
    assert.equal(m.index.get('a'), -1)
  })

  test('a recently read key survives a stream of new keys that are never read again', () => {
    const m = new Table(10)
    m.set('hot', 0)
    for (let i = 0; i < 500; i++) {
      assert.ok(m.get('hot') !== undefined, `round ${i}`)
      m.set(`cold${i}`, i)
    }
  })

  test('set on a held key replaces it in place, unmarked, evicting nothing', () => {
    const m = new Table(2)
    m.set('a', 1)
    m.set('b', 2)
    m.get('a')
    m.set('a', 3) // unmarked again, still first in the order
    m.set('c', 4)
    assert.deepEqual([m.get('a'), m.get('b'), m.get('c'), m.index.size], [undefined, 2, 4, 2])
    assert.throws(() => new SlotIndex(0), RangeError)
    assert.throws(() => new SlotIndex(1.5), RangeError)
  })

  test('slots are dense and below capacity, which starts small and doubles up to max', () => {
    const m = new SlotIndex<number>(40)
    assert.equal(m.capacity, 16)
    const seen: number[] = []
    for (let i = 0; i < 40; i++) {
      const slot = m.add(i)
      assert.ok(slot < m.capacity, `slot ${slot} < capacity ${m.capacity}`)
      seen.push(slot)
      if (i === 15) assert.equal(m.capacity, 16)
      if (i === 16) assert.equal(m.capacity, 32)
    }
    assert.deepEqual(seen, Array.from({ length: 40 }, (_, i) => i))
    assert.equal(m.capacity, 40, 'capped at max')
    assert.equal(m.add(40), 0, 'full: the forgotten key 0 gives up its slot')
    assert.equal(m.capacity, 40)
    assert.equal(new SlotIndex(3).capacity, 3, 'never more than max')
  })

  test('agrees with SecondChanceMap over 3,000 seeded random sequences (max 1-8)', () => {
    const random = seededRandom(20240611)
    for (let run = 0; run < 3000; run++) {
      const max = 1 + random.int(8)
      const keys = Array.from({ length: max + 1 + random.int(max + 2) }, (_, i) => `k${i}`)
      const ref = new SecondChanceMap<string, { n: number; used: boolean }>(max)
      const real = new Table(max, 1 + random.int(4))
      for (let op = 0; op < 200; op++) {
        const key = random.pick(keys)!
        const where = `run ${run} (max ${max}), op ${op}`
        if (random.next() < 0.5) {
          assert.equal(real.get(key), ref.get(key)?.n, `${where}: get ${key}`)
        } else {
          ref.set(key, { n: op, used: false })
          real.set(key, op)
        }
        assert.equal(real.index.size, ref.size, `${where}: size`)
        assert.ok(real.index.capacity <= max, `${where}: capacity`)
      }
    }
  })
})
