import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { buildObserverRings, ringPosition, type ObserverRings } from '../../src/membership/rings.ts'
import { seededRandom, type Random } from '../../src/runtime/index.ts'

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'

/** Ids shaped like libp2p Ed25519 peer ids, from a seed. */
function peerIds(seed: number, n: number): string[] {
  const random = seededRandom(seed)
  return Array.from({ length: n }, () => '12D3KooW' + Array.from({ length: 44 }, () => BASE58[random.int(58)]).join(''))
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** Every (subject, observer) assignment, as "subject>observer". */
function assignments(rings: ObserverRings, subjects: readonly string[]): Set<string> {
  const out = new Set<string>()
  for (const s of subjects) for (const o of rings.observersOf(s)) out.add(`${s}>${o}`)
  return out
}

function changedShare(before: Set<string>, after: Set<string>): number {
  let changed = 0
  for (const pair of before) if (!after.has(pair)) changed++
  return changed / before.size
}

describe('ringPosition', () => {
  test('deterministic, distinct per ring, a non-negative safe integer', () => {
    const [id] = peerIds(1, 1)
    assert.equal(ringPosition(id!, 3), ringPosition(id!, 3))
    const positions = new Set(Array.from({ length: 8 }, (_, i) => ringPosition(id!, i)))
    assert.equal(positions.size, 8)
    for (const p of positions) assert.ok(Number.isSafeInteger(p) && p >= 0)
  })

  test('spreads ids evenly (16 buckets within 10% of 625 for 10,000 ids)', () => {
    const counts = new Array<number>(16).fill(0)
    for (const id of peerIds(2, 10_000)) counts[Math.floor(ringPosition(id, 0) / 2 ** 49)]!++
    for (const c of counts) assert.ok(Math.abs(c - 625) < 62.5, `bucket ${c} (${counts.join(' ')})`)
  })

  test('rings are independent orders (rank correlation of ring 0 and ring 1 near 0)', () => {
    const ids = peerIds(3, 2000)
    const rank = (ring: number): Map<string, number> => new Map([...ids].sort((a, b) => ringPosition(a, ring) - ringPosition(b, ring)).map((id, i) => [id, i]))
    const r0 = rank(0)
    const r1 = rank(1)
    const n = ids.length
    const d2 = ids.reduce((sum, id) => sum + (r0.get(id)! - r1.get(id)!) ** 2, 0)
    const spearman = 1 - (6 * d2) / (n * (n * n - 1))
    assert.ok(Math.abs(spearman) < 0.06, `rho ${spearman}`)
  })
})

describe('buildObserverRings', () => {
  test('a build from the previous rings equals a build from scratch, through joins, deaths and rejoins', () => {
    const pool = peerIds(11, 120)
    const random = seededRandom(11)
    let live = pool.slice(0, 1)
    let rings = buildObserverRings({ k: 8, live, all: live })
    let updated = 0
    for (let step = 0; step < 60; step++) {
      // Each step some members die and some join (or come back), in random amounts.
      const dying = new Set(shuffled(live, random).slice(0, random.int(Math.min(5, live.length))))
      const joining = shuffled(pool.filter((id) => !live.includes(id)), random).slice(0, random.int(12))
      live = shuffled([...live.filter((id) => !dying.has(id)), ...joining], random)
      const all = [...live, ...dying]
      const incremental = buildObserverRings({ k: 8, live, all, previous: rings })
      const scratch = buildObserverRings({ k: 8, live, all })
      for (let i = 0; i < 8; i++) {
        assert.deepEqual(incremental.orders[i]!.ids, scratch.orders[i]!.ids, `ring ${i} at step ${step}`)
        assert.deepEqual([...incremental.orders[i]!.positions], [...scratch.orders[i]!.positions])
      }
      for (const id of all) {
        assert.deepEqual(incremental.observersOf(id), scratch.observersOf(id))
        assert.deepEqual(incremental.subjectsOf(id), scratch.subjectsOf(id))
      }
      if (joining.length > 0 && live.length > joining.length) updated++
      rings = incremental
    }
    assert.ok(updated > 20, `${updated} steps merged newcomers into earlier rings`)
  })

  test('a previous build with fewer rings: the missing rings are built from scratch', () => {
    const ids = peerIds(12, 40)
    const few = buildObserverRings({ k: 2, live: ids, all: ids })
    const more = buildObserverRings({ k: 8, live: ids, all: ids, previous: few })
    const scratch = buildObserverRings({ k: 8, live: ids, all: ids })
    for (const id of ids) assert.deepEqual(more.observersOf(id), scratch.observersOf(id))
  })

  test('deterministic: the same sets whatever the input order or duplicates', () => {
    const ids = peerIds(4, 60)
    const random = seededRandom(4)
    const reference = buildObserverRings({ k: 8, live: ids, all: ids })
    for (let trial = 0; trial < 5; trial++) {
      const live = shuffled([...ids, ...ids.slice(0, 7)], random)
      const other = buildObserverRings({ k: 8, live, all: shuffled(ids, random) })
      for (const id of ids) {
        assert.deepEqual(other.observersOf(id), reference.observersOf(id))
        assert.deepEqual(other.subjectsOf(id), reference.subjectsOf(id))
      }
    }
  })

  // [members n, k]: each subject gets min(k, n - 1) distinct observers, never itself.
  const sizes: [number, number][] = [[1, 8], [2, 8], [5, 8], [9, 8], [10, 8], [30, 8], [200, 8], [50, 1], [50, 3], [100, 16], [20, 0]]
  for (const [n, k] of sizes) {
    test(`n=${n}, k=${k}: min(k, n-1) = ${Math.min(k, n - 1)} distinct observers per subject, never itself`, () => {
      const ids = peerIds(5 + n, n)
      const rings = buildObserverRings({ k, live: ids, all: ids })
      for (const s of ids) {
        const observers = rings.observersOf(s)
        assert.equal(observers.length, Math.min(k, n - 1))
        assert.equal(new Set(observers).size, observers.length)
        assert.ok(!observers.includes(s))
        for (const o of observers) assert.ok(ids.includes(o))
      }
    })
  }

  test('small cluster (n <= k + 1): everyone observes everyone', () => {
    for (const n of [2, 3, 5, 9]) {
      const ids = peerIds(6 + n, n)
      const rings = buildObserverRings({ k: 8, live: ids, all: ids })
      for (const s of ids) {
        assert.deepEqual(rings.observersOf(s).sort(), ids.filter((x) => x !== s).sort())
        assert.deepEqual(rings.subjectsOf(s), ids.filter((x) => x !== s).sort())
      }
    }
  })

  test('load balance: with n=100, k=8 every member observes between 3 and 15 subjects (measured 5..11)', () => {
    let min = Infinity
    let max = 0
    for (let seed = 1; seed <= 20; seed++) {
      const ids = peerIds(100 + seed, 100)
      const rings = buildObserverRings({ k: 8, live: ids, all: ids })
      let total = 0
      for (const id of ids) {
        const n = rings.subjectsOf(id).length
        total += n
        min = Math.min(min, n)
        max = Math.max(max, n)
      }
      assert.equal(total, 800) // n x k assignments in all
    }
    assert.ok(min >= 3 && max <= 15, `min ${min}, max ${max}`)
  })

  test('stability: adding one member to 100 changes under 3% of assignments (measured ~1%)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const ids = peerIds(200 + seed, 101)
      const before = ids.slice(0, 100)
      const a = assignments(buildObserverRings({ k: 8, live: before, all: before }), before)
      const b = assignments(buildObserverRings({ k: 8, live: ids, all: ids }), before)
      const share = changedShare(a, b)
      assert.ok(share > 0 && share < 0.03, `seed ${seed}: ${(share * 100).toFixed(2)}% changed`)
    }
  })

  test('stability: removing one member of 100 changes under 3% of the others\' assignments (measured ~1%)', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const ids = peerIds(300 + seed, 100)
      const gone = ids[seed]!
      const rest = ids.filter((x) => x !== gone)
      const a = assignments(buildObserverRings({ k: 8, live: ids, all: ids }), rest)
      const b = assignments(buildObserverRings({ k: 8, live: rest, all: ids }), rest)
      for (const pair of a) if (pair.endsWith(`>${gone}`)) a.delete(pair) // necessarily reassigned
      const share = changedShare(a, b)
      assert.ok(share < 0.03, `seed ${seed}: ${(share * 100).toFixed(2)}% changed`)
    }
  })

  test('subjectsOf is the exact reverse of observersOf over all members, dead ones included', () => {
    const all = peerIds(7, 80)
    const live = all.filter((_, i) => i % 5 !== 0)
    const rings = buildObserverRings({ k: 8, live, all })
    const forward = assignments(rings, all)
    const reverse = new Set<string>()
    for (const o of all) for (const s of rings.subjectsOf(o)) reverse.add(`${s}>${o}`)
    assert.deepEqual([...reverse].sort(), [...forward].sort())
    for (const dead of all.filter((x) => !live.includes(x))) assert.deepEqual(rings.subjectsOf(dead), [], 'the dead observe no one')
    const some = rings.subjectsOf(live[0]!)
    assert.deepEqual(some, [...some].sort())
    some.push('mutated')
    assert.ok(!rings.subjectsOf(live[0]!).includes('mutated'), 'callers get a copy')
  })

  test('a dead subject (not in live) still gets k live observers: the ones it had while alive', () => {
    const all = peerIds(8, 40)
    const dead = all[0]!
    const live = all.slice(1)
    const rings = buildObserverRings({ k: 8, live, all })
    const observers = rings.observersOf(dead)
    assert.equal(observers.length, 8)
    for (const o of observers) assert.ok(live.includes(o))
    // Its observers are the same as when it was live: it never was its own successor.
    assert.deepEqual(buildObserverRings({ k: 8, live: all, all }).observersOf(dead), observers)
    assert.deepEqual(buildObserverRings({ k: 8, live: [], all }).observersOf(dead), [])
    assert.deepEqual(buildObserverRings({ k: 8, live: live.slice(0, 3), all }).observersOf(dead).sort(), live.slice(0, 3).sort())
  })

  test('subjectsOf equals the brute-force reverse of observersOf: sizes 1-120, k 1-10, up to half the members not live', () => {
    for (let seed = 0; seed < 40; seed++) {
      const n = 1 + ((seed * 37) % 120)
      const k = 1 + (seed % 10)
      const all = peerIds(100 + seed, n)
      const live = all.filter((_, i) => (i * 7 + seed) % (2 + (seed % 4)) !== 0)
      const rings = buildObserverRings({ k, live, all })
      const brute = new Map<string, string[]>()
      for (const s of all) for (const o of rings.observersOf(s)) brute.set(o, [...(brute.get(o) ?? []), s])
      for (const o of all) assert.deepEqual(rings.subjectsOf(o), (brute.get(o) ?? []).sort(), `seed ${seed}, n ${n}, k ${k}, observer ${o}`)
    }
  })

  test('rejects a k that is not a non-negative integer', () => {
    for (const k of [-1, 1.5, Number.NaN]) assert.throws(() => buildObserverRings({ k, live: [], all: [] }), RangeError)
  })

  test('a build does not keep the one it was updated from alive (each used to hold its predecessor: every ring order since start-up)', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const ids = peerIds(11, 60)
    let rings = buildObserverRings({ k: 4, live: ids, all: ids })
    const firstOrder = new WeakRef(rings.orders[0]!)
    for (let i = 1; i <= 5; i++) rings = buildObserverRings({ k: 4, live: ids.slice(i), all: ids, previous: rings })
    // A WeakRef's target is held until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve))
    gc()
    assert.equal(firstOrder.deref(), undefined)
    assert.equal(rings.observersOf(ids[0]!).length, 4)
  })
})
