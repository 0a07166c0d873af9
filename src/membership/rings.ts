import { fmix32, murmur3 } from './hash.ts'
/**
 * Who monitors whom: observers from k hash rings, as in Rapid (Lalith Suresh et al., "Stable and
 * Consistent Membership at Scale with Rapid", USENIX ATC 2018, §4.1 "expander-based monitoring").
 *
 * Each ring orders the live members by a hash of (ring index, id). On ring i, the observer of a
 * subject S is the first live member clockwise from S's position, skipping S itself and members
 * already chosen on an earlier ring, so S gets up to k distinct observers. Why rings:
 *
 * - Every node computes the same sets from the same member list (input order does not matter,
 *   ties break on the id), so no coordinator or agreement is needed.
 * - Churn moves little: a joining member takes over as observer only of the subjects just
 *   counter-clockwise of it (about one per ring); a leaving one hands its subjects to its
 *   successors. Everyone else keeps their observers and their detector history.
 * - Each member observes about k subjects (k rings, one predecessor per ring), so the heartbeat
 *   load is spread evenly whatever the cluster size.
 *
 * A subject need not be live (a dead member's would-be observers are still computed, for its
 * verdicts); observers are always live.
 */

export interface ObserverRings {
  /**
   * Observers of `subject` among `live` members (subject excluded), at most k distinct ids, in
   * ring order (ring 0's observer first). With k or fewer other live members, all of them.
   * Deterministic; O(k log n).
   */
  observersOf(subject: string): string[]
  /**
   * The subjects that `observer` observes: all members m (from `all`, dead ones included, and
   * `live`) with observer in observersOf(m), sorted. O(k^2 log n + d k log n), d the members of
   * `all` that are not live.
   */
  subjectsOf(observer: string): string[]
  /** The ring orders, handed to the next build (`previous`) so it updates them instead of sorting again. */
  readonly orders: readonly Ring[]
}

/**
 * One ring: live members sorted by (position, id); positions[i] belongs to ids[i]. Positions are
 * a plain array of doubles, held in the JS heap: a Float64Array's bytes live outside it, and V8
 * starts a full collection for each 64 MB or so allocated there ("external memory pressure"),
 * which the ring rebuilds of a 2,000-node simulator boot (k x n x 8 bytes per node, twice) did
 * several times over.
 */
export interface Ring {
  readonly positions: readonly number[]
  readonly ids: readonly string[]
}

const TWO_POW_21 = 2 ** 21

/**
 * Position of `id` on ring `ringIndex`: a 53-bit integer from two MurmurHash3 lanes whose seeds
 * derive from the ring index, so the rings are independent orders. Not cryptographic, and need
 * not be: ids are libp2p peer ids (hashes of public keys), which no one can place at will without
 * also generating a key for it; the point is speed, since 1,000 members x 8 rings are rehashed
 * on every membership change. A plain number, so sorting compares doubles, not bigints.
 */
export function ringPosition(id: string, ringIndex: number): number {
  let cached = positionCache.get(id)
  if (cached === undefined) {
    if (positionCache.size >= POSITION_CACHE_IDS_MAX) positionCache.clear()
    cached = new Float64Array(RINGS_MAX).fill(NaN)
    positionCache.set(id, cached)
  }
  if (ringIndex >= RINGS_MAX) return computePosition(id, ringIndex)
  let p = cached[ringIndex]!
  if (Number.isNaN(p)) p = cached[ringIndex] = computePosition(id, ringIndex)
  return p
}

function computePosition(id: string, ringIndex: number): number {
  const high = murmur3(id, fmix32(2 * ringIndex + 0x9e3779b9))
  const low = murmur3(id, fmix32(2 * ringIndex + 1 + 0x7f4a7c15))
  return high * TWO_POW_21 + (low >>> 11)
}

/**
 * Positions are a pure function of (id, ring), and every membership change recomputes them for
 * every member on every ring (and every verdict for the subject): a memo saves the hashing. Shared
 * by all rings in the process (the simulator's thousand nodes hash the same ids), bounded by
 * clearing it when full.
 */
const RINGS_MAX = 64
const POSITION_CACHE_IDS_MAX = 50_000
const positionCache = new Map<string, Float64Array>()

function before(position: number, id: string, otherPosition: number, otherId: string): boolean {
  return position < otherPosition || (position === otherPosition && id < otherId)
}

function buildRing(members: readonly string[], ringIndex: number): Ring {
  const entries = members.map((id) => ({ id, position: ringPosition(id, ringIndex) }))
  // Positions are integers below 2^53, so the difference is exact; equal positions fall back to the id.
  entries.sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  return { positions: entries.map((e) => e.position), ids: entries.map((e) => e.id) }
}

/** Index of the first member strictly after (position, id) on the ring, wrapping to 0. */
function successorIndex(ring: Ring, position: number, id: string): number {
  let lo = 0
  let hi = ring.ids.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (before(position, id, ring.positions[mid]!, ring.ids[mid]!)) hi = mid
    else lo = mid + 1
  }
  return lo === ring.ids.length ? 0 : lo
}

/**
 * A ring for `live` from the previous order of the same ring: the members still live keep their
 * order, the new ones are sorted and merged in. The same order a full sort gives (the order is
 * total), in O(n) plus the newcomers' sort; a node rebuilds its rings on every join and death.
 */
function updateRing(previous: Ring, live: readonly string[], liveSet: ReadonlySet<string>, ringIndex: number): Ring {
  const ids: string[] = []
  const positions: number[] = []
  for (let j = 0; j < previous.ids.length; j++) {
    const id = previous.ids[j]!
    if (!liveSet.has(id)) continue
    ids.push(id)
    positions.push(previous.positions[j]!)
  }
  if (ids.length === live.length) return { positions, ids }
  const kept = new Set(ids)
  const added = buildRing(live.filter((id) => !kept.has(id)), ringIndex)
  const n = ids.length + added.ids.length
  // Filled by push, so both arrays stay packed (a pre-sized array starts out holey).
  const mergedPositions: number[] = []
  const mergedIds: string[] = []
  for (let a = 0, b = 0, out = 0; out < n; out++) {
    const takeKept = b >= added.ids.length || (a < ids.length && before(positions[a]!, ids[a]!, added.positions[b]!, added.ids[b]!))
    if (takeKept) {
      mergedPositions.push(positions[a]!)
      mergedIds.push(ids[a++]!)
    } else {
      mergedPositions.push(added.positions[b]!)
      mergedIds.push(added.ids[b++]!)
    }
  }
  return { positions: mergedPositions, ids: mergedIds }
}

/** k rings for `live`, each updated from the previous build's when there is one. A function of its own so that no closure below holds `previous`. */
function buildRings(k: number, live: readonly string[], liveSet: ReadonlySet<string>, previous: readonly Ring[] | undefined): Ring[] {
  const rings: Ring[] = []
  for (let i = 0; i < k; i++) {
    const prior = previous?.[i]
    rings.push(prior === undefined ? buildRing(live, i) : updateRing(prior, live, liveSet, i))
  }
  return rings
}

export function buildObserverRings(options: { k: number; live: readonly string[]; all: readonly string[]; previous?: ObserverRings }): ObserverRings {
  // The closures below keep only what they name: holding `options` kept `previous`, so every
  // build retained the one before it, a chain of every ring order since start-up (k x n ids and
  // positions per membership change, for as long as the node ran).
  const { k, all } = options
  if (!Number.isInteger(k) || k < 0) throw new RangeError(`k must be an integer >= 0, got ${k}`)
  const liveSet = new Set(options.live)
  const live = [...liveSet]
  const rings = buildRings(k, live, liveSet, options.previous?.orders)

  function observersOf(subject: string): string[] {
    const chosen = new Set<string>()
    const wanted = Math.min(k, live.length - (liveSet.has(subject) ? 1 : 0))
    for (let i = 0; i < k && chosen.size < wanted; i++) {
      const ring = rings[i]!
      const n = ring.ids.length
      // Walk clockwise past the subject and past members taken on earlier rings (at most k+1 steps).
      for (let j = successorIndex(ring, ringPosition(subject, i), subject), steps = 0; steps < n; j = (j + 1) % n, steps++) {
        const candidate = ring.ids[j]!
        if (candidate !== subject && !chosen.has(candidate)) {
          chosen.add(candidate)
          break
        }
      }
    }
    return [...chosen]
  }

  function subjectsOf(observer: string): string[] {
    // Only a live member observes, and only subjects just counter-clockwise of it: on ring i,
    // the observer of S is the first live member after S not chosen on an earlier ring, so
    // everything between S and its ring-i observer was chosen before, at most k - 1 members.
    // The live candidates are therefore the k + 1 live predecessors of `observer` on each
    // ring; members that are not live (dead, still observed) sit anywhere between live ones,
    // so each of those is a candidate too. Each candidate is then checked with observersOf:
    // O(k^2 log n + d k log n) for d members not live, not O(n k log n) for the full reverse
    // index, which every node would otherwise build on every ring change.
    if (!liveSet.has(observer)) return []
    const candidates = new Set<string>()
    for (let i = 0; i < k; i++) {
      const ring = rings[i]!
      const n = ring.ids.length
      const at = successorIndex(ring, ringPosition(observer, i), observer) // one past the observer itself
      for (let back = 2; back <= Math.min(k + 2, n); back++) candidates.add(ring.ids[(at - back + 2 * n) % n]!)
    }
    for (const id of all) if (!liveSet.has(id)) candidates.add(id)
    candidates.delete(observer)
    return [...candidates].filter((s) => observersOf(s).includes(observer)).sort()
  }

  return { observersOf, subjectsOf, orders: rings }
}
