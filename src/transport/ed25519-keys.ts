import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto'

/**
 * Ed25519 signature checks with the public keys kept imported.
 *
 * @libp2p/crypto verifies by importing the 32-byte key into OpenSSL (a JWK `createPublicKey`) on
 * every call, about a quarter of a verification's cost, and the peer id → key decoding before it
 * is a few more µs. A member's key never changes, so the imported `KeyObject` is kept, by the key's
 * name (a peer id, or the raw key's bytes), in a least-recently-used map.
 *
 * Bounded: at most `keysMax` keys (default `ED25519_KEYS_MAX`, 1,024: more than the members whose
 * records one node checks in a burst, far below `membersMax`'s worst case of memory, ~200 bytes
 * each). Past it the least recently used key is forgotten; its next check imports it again.
 */
export const ED25519_KEYS_MAX = 1024

const PUBLIC_KEY_BYTES = 32
const SIGNATURE_BYTES = 64

export class Ed25519Keys {
  private readonly keys = new Map<string, KeyObject>()
  private readonly keysMax: number

  constructor(keysMax = ED25519_KEYS_MAX) {
    if (!(Number.isInteger(keysMax) && keysMax >= 1)) throw new RangeError(`keysMax must be a positive integer, got ${keysMax}`)
    this.keysMax = keysMax
  }

  /**
   * Whether `signature` is `name`'s signature of `data`. `raw` gives the key's 32 bytes when
   * `name` is not held yet (called only on a miss); undefined or the wrong length: false.
   * Never throws on bad input: a malformed signature is just not valid.
   */
  verify(name: string, raw: () => Uint8Array | undefined, data: Uint8Array, signature: Uint8Array): boolean {
    if (signature.byteLength !== SIGNATURE_BYTES) return false
    const key = this.key(name, raw)
    if (key === undefined) return false
    try {
      return cryptoVerify(null, data, key, signature)
    } catch {
      return false
    }
  }

  /** Keys held now (at most keysMax). */
  get size(): number {
    return this.keys.size
  }

  private key(name: string, raw: () => Uint8Array | undefined): KeyObject | undefined {
    const held = this.keys.get(name)
    if (held !== undefined) {
      // Map order is insertion order: re-inserting makes it the most recently used.
      this.keys.delete(name)
      this.keys.set(name, held)
      return held
    }
    let bytes: Uint8Array | undefined
    try {
      bytes = raw()
    } catch {
      return undefined
    }
    if (bytes?.byteLength !== PUBLIC_KEY_BYTES) return undefined
    let key: KeyObject
    try {
      key = createPublicKey({ format: 'jwk', key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(bytes).toString('base64url') } })
    } catch {
      return undefined
    }
    if (this.keys.size >= this.keysMax) {
      const oldest = this.keys.keys().next().value
      if (oldest !== undefined) this.keys.delete(oldest)
    }
    this.keys.set(name, key)
    return key
  }
}
