/**
 * Fast non-cryptographic hashing (MurmurHash3, Austin Appleby) shared by the observer rings,
 * the anti-entropy checksum and the simulator's link model: cheap, well mixed and stable across
 * processes, which is all these need (members of one cluster already trust each other).
 */

/** murmur3's 32-bit finalizer: every input bit affects every output bit. */
export function fmix32(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** MurmurHash3 x86_32 over the string's UTF-16 code units, two per 32-bit block. */
export function murmur3(id: string, seed: number): number {
  let h = seed >>> 0
  const n = id.length
  const blocks = n >>> 1
  for (let i = 0; i < blocks; i++) {
    let k = id.charCodeAt(2 * i) | (id.charCodeAt(2 * i + 1) << 16)
    k = Math.imul(k, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, 0x1b873593)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
  }
  if (n & 1) {
    let k = id.charCodeAt(n - 1)
    k = Math.imul(k, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, 0x1b873593)
    h ^= k
  }
  return fmix32(h ^ (n * 2))
}

