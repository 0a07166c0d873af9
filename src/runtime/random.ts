/**
 * Randomness, injected. The agent uses a seed from the OS; the simulator derives every choice
 * from one seed (sfc32 seeded through splitmix32), so a run replays exactly.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [0, n). */
  int(n: number): number
  /** Picks one element, or undefined for an empty array. */
  pick<T>(items: readonly T[]): T | undefined
  /** A new independent generator derived from this one (for per-node or per-link streams). */
  fork(): Random
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

/** A deterministic generator (sfc32, 128-bit state); the same seed gives the same sequence. */
export function seededRandom(seed: number): Random {
  const mix = splitmix32(seed)
  let a = mix(), b = mix(), c = mix(), d = mix()
  const nextU32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t
  }
  for (let i = 0; i < 12; i++) nextU32()
  const random: Random = {
    next: () => nextU32() / 4294967296,
    int: (n) => Math.floor((nextU32() / 4294967296) * n),
    pick: (items) => (items.length === 0 ? undefined : items[Math.floor((nextU32() / 4294967296) * items.length)]),
    fork: () => seededRandom(nextU32())
  }
  return random
}

/** The agent's generator, seeded from the OS's entropy. */
export function systemRandom(): Random {
  const seed = crypto.getRandomValues(new Uint32Array(1))[0]!
  return seededRandom(seed)
}
