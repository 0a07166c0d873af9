import { copyBytes } from './byte-slab.ts'
import { decodeMessage, type DecodeResult, type MemberDigestEntry, type RecordProof, type WireMessage } from './codec.ts'

/**
 * Equal decoded values shared between the nodes of one process: the simulator runs a thousand
 * nodes in one heap, and each decodes its own copy of every member's id, name, addresses and
 * signed record from the digests and announcements it receives. Kept, those copies are one per
 * (node, member) pair: a heap snapshot of 400 nodes put ~360 bytes a pair in them (the id and
 * name strings, the address list and its string, the proof object, its signature's Uint8Array
 * and bytes). Replacing an accepted message's values by an equal copy seen before keeps one per
 * member instead.
 *
 * Only values equal to the held copy are replaced (strings by content, a proof by incarnation,
 * left flag and signature bytes, an address list element by element), so what a node stores is
 * what it decoded; and shared values are frozen, so a node that tried to change one would throw
 * instead of changing another node's. A real agent has one node in its process and gains
 * nothing: only the memory network offers one (Transport.sharedValues).
 *
 * Bounded: each table is cleared when it reaches `entriesMax`, which costs only sharing.
 */
export class SharedValues {
  /**
   * The last DECODES_KEPT gossip messages decoded, by their bytes: the memory network hands every
   * subscriber the same bytes (a heartbeat reaches k observers, a record every node), so each is
   * decoded, shared and frozen once. Frozen deeply, so no receiver can change what the others
   * read; first-in-first-out, as the copies of one message arrive within a few virtual ms.
   */
  private readonly decodes = new Map<Uint8Array, DecodeResult>()
  private readonly strings = new Map<string, string>()
  /** The last address list and proof seen per member id (what honest senders all relay). */
  private readonly addrLists = new Map<string, string[]>()
  private readonly proofs = new Map<string, RecordProof>()
  private readonly signatures = new Map<string, Uint8Array>()
  private readonly entriesMax: number

  constructor(entriesMax = 1 << 20) {
    this.entriesMax = entriesMax
  }

  /**
   * decodeMessage(data, bytesMax), decoded once for every receiver of the same bytes: the message
   * shared (share()) and frozen. The size limit is checked per call, as receivers' limits differ.
   */
  decode(data: Uint8Array, bytesMax: number): DecodeResult {
    if (data.byteLength > bytesMax) return { ok: false, reason: 'too-large' }
    let result = this.decodes.get(data)
    if (result === undefined) {
      result = this.decodeOnce(data, Number.MAX_SAFE_INTEGER)
      if (result.ok) deepFreeze(result.message)
      if (this.decodes.size >= DECODES_KEPT) this.decodes.delete(this.decodes.keys().next().value!)
      this.decodes.set(data, result)
    }
    return result
  }

  /**
   * decodeMessage(data, bytesMax) with its values shared, for bytes only one node receives (a
   * digest, by request and response). Byte strings are not copied out of the frame on decoding:
   * share() copies those it holds the first time and replaces the others with the held copy, so
   * the frame is not kept, and a digest's thousand signatures cost no copy (the copies were
   * slabs of memory outside the JS heap, and V8 starts a full collection for each 64 MB or so
   * allocated there: with the rings, 18 of a 2,000-node boot's 28 collections).
   */
  decodeOnce(data: Uint8Array, bytesMax: number): DecodeResult {
    const result = decodeMessage(data, bytesMax, frameView)
    if (result.ok) this.share(result.message)
    return result
  }

  /** Shares the values of a message that passed validation; returns the same object. */
  share<M extends WireMessage>(m: M): M {
    m.sender = this.string(m.sender)
    switch (m.type) {
      case 'join':
        m.name = this.string(m.name)
        m.addrs = this.addrs(m.sender, m.addrs)
        break
      case 'record':
        m.name = this.string(m.name)
        m.addrs = this.addrs(m.sender, m.addrs)
        m.signature = this.signature(m.sender, m.signature)
        break
      case 'verdict':
      case 'force-leave':
        m.subject = this.string(m.subject)
        break
      case 'digest':
      case 'signed-digest':
        for (const e of m.members) this.entry(e)
        break
      default:
        break
    }
    return m
  }

  private entry(e: MemberDigestEntry): void {
    e.id = this.string(e.id)
    e.name = this.string(e.name)
    e.addrs = this.addrs(e.id, e.addrs)
    if (e.proof !== undefined) e.proof = this.proof(e.id, e.proof)
  }

  private string(s: string): string {
    const held = this.strings.get(s)
    if (held !== undefined) return held
    this.put(this.strings, s, s)
    return s
  }

  private addrs(owner: string, addrs: string[]): string[] {
    const held = this.addrLists.get(owner)
    if (held !== undefined && sameStrings(held, addrs)) return held
    for (let i = 0; i < addrs.length; i++) addrs[i] = this.string(addrs[i]!)
    this.put(this.addrLists, owner, Object.freeze(addrs) as string[])
    return addrs
  }

  /** `proof` of `owner`'s record, or the equal one held. */
  proof(owner: string, proof: RecordProof): RecordProof {
    const held = this.proofs.get(owner)
    if (held !== undefined && held.incarnation === proof.incarnation && held.left === proof.left && sameBytes(held.signature, proof.signature)) return held
    proof.signature = this.signature(owner, proof.signature)
    this.put(this.proofs, owner, Object.freeze(proof))
    return proof
  }

  /** The held copy of `signature`, or a copy of it (it may be a view into a frame), then held. */
  private signature(owner: string, signature: Uint8Array): Uint8Array {
    const held = this.signatures.get(owner)
    if (held !== undefined && sameBytes(held, signature)) return held
    const kept = copyBytes(signature)
    this.put(this.signatures, owner, kept)
    return kept
  }

  private put<V>(table: Map<string, V>, key: string, value: V): void {
    if (table.size >= this.entriesMax && !table.has(key)) table.clear()
    table.set(key, value)
  }
}

const DECODES_KEPT = 4096

const frameView = (bytes: Uint8Array): Uint8Array => bytes

/** Freezes a decoded message and everything in it but its byte strings (which cannot be frozen). */
function deepFreeze(value: object): void {
  if (ArrayBuffer.isView(value) || Object.isFrozen(value)) return
  Object.freeze(value)
  for (const v of Object.values(value)) if (typeof v === 'object' && v !== null) deepFreeze(v as object)
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}
