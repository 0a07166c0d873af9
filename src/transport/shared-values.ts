import type { MemberDigestEntry, RecordProof, WireMessage } from './codec.ts'

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
  private readonly strings = new Map<string, string>()
  /** The last address list and proof seen per member id (what honest senders all relay). */
  private readonly addrLists = new Map<string, string[]>()
  private readonly proofs = new Map<string, RecordProof>()
  private readonly signatures = new Map<string, Uint8Array>()
  private readonly entriesMax: number

  constructor(entriesMax = 1 << 20) {
    this.entriesMax = entriesMax
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

  private signature(owner: string, signature: Uint8Array): Uint8Array {
    const held = this.signatures.get(owner)
    if (held !== undefined && sameBytes(held, signature)) return held
    this.put(this.signatures, owner, signature)
    return signature
  }

  private put<V>(table: Map<string, V>, key: string, value: V): void {
    if (table.size >= this.entriesMax && !table.has(key)) table.clear()
    table.set(key, value)
  }
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
