import type { PeerState } from '../domain/index.ts'
import { murmur3 } from '../membership/hash.ts'
import type { Member } from '../membership/member-table.ts'
import type { Logger } from '../runtime/logger.ts'
import type { Random } from '../runtime/random.ts'
import { decodeMessage, encodeMessage, type ChecksumMessage, type DigestMessage, type MemberDigestEntry, type MemberState, type SignedDigestMessage } from '../transport/codec.ts'
import { SYNC_PROTOCOL } from '../transport/topics.ts'
import type { Transport } from '../transport/types.ts'

/**
 * The anti-entropy member exchange (as in Serf's push-pull and chitchat's digests): periodically,
 * this node reconciles its member digest with one random connected peer over a request/response
 * stream. It repairs whatever the join/leave gossip missed (partitions, late joiners, lost
 * messages), and is how a joining node learns the cluster.
 *
 * Checksum first: the periodic exchange sends only a 64-bit checksum of the digest, and the
 * peer answers with its own. Equal checksums mean the same members, incarnations and states, and
 * nothing more is sent; only when they differ do the two swap full digests (the push-pull that
 * joins, leaves and reconnects always use). In a settled cluster of n members this turns
 * 2 x ~30n bytes per exchange (about 60 KB at 1,000 members, every 5 s on every node) into two
 * ~80-byte messages, and the O(n) encode/merge into an O(1) comparison (the checksum is cached
 * until the membership or the view changes). A peer that predates the checksum message answers
 * it with its full digest, which is merged, and then gets ours: the two versions interoperate.
 */
export interface AntiEntropyDeps {
  transport: Transport
  random: Random
  logger: Logger
  cluster: string
  requestTimeoutMs: number
  /** The next message header (sender, incarnation, sequence number). */
  header(): { cluster: string; sender: string; incarnation: number; seq: number }
  /** This node's digest: itself first, then every member it knows. */
  entries(): MemberDigestEntry[]
  /** Applies a digest received from `from` (already checked to come from it; the trust rules judge its entries). */
  merge(from: string, entries: MemberDigestEntry[]): void
  /**
   * Changes whenever entries() may have changed (membership, view, own incarnation): the
   * checksum is recomputed only then.
   */
  version(): string
  isRunning(): boolean
}

/** Bytes allowed for one digest (a cluster of 10,000 members fits). */
export const SYNC_BYTES_MAX = 4 * 1024 * 1024

/**
 * An order-independent 64-bit checksum of digest entries: the sum (two 32-bit lanes) of a
 * MurmurHash3-style hash of each entry's id, name, incarnation, state and addresses. Not
 * cryptographic: it only decides whether a full exchange is worth it; what a digest may teach
 * is decided entry by entry by the trust rules (membership/trust.ts), whatever the checksum.
 */
export function digestChecksum(entries: readonly MemberDigestEntry[]): string {
  let a = 0
  let b = 0
  for (const e of entries) {
    const text = `${e.id}\n${e.name}\n${e.incarnation}\n${e.state}\n${e.addrs.join(' ')}`
    a = (a + murmur3(text, 0x9747b28c)) >>> 0
    b = (b + murmur3(text, 0x5bd1e995)) >>> 0
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0')
}

/**
 * What this node's digest tells others about a member, given its state in this node's view: left
 * and dead are worth spreading, suspect is not.
 */
export function gossipStateOf(m: Member, viewState: PeerState | undefined): MemberState {
  if (m.left) return 'left'
  return viewState === 'dead' ? 'dead' : 'alive'
}

export class AntiEntropy {
  /** syncs: full exchanges; inSync: checksum exchanges that found nothing to do. */
  readonly stats = { syncs: 0, inSync: 0, syncErrors: 0 }
  private readonly deps: AntiEntropyDeps
  private cached: { version: string; checksum: string } | undefined

  constructor(deps: AntiEntropyDeps) {
    this.deps = deps
  }

  /** Serves the exchange: a checksum is answered with ours; a digest is merged and answered with ours. */
  install(): void {
    this.deps.transport.handle(SYNC_PROTOCOL, async (from, request) => {
      const m = this.decode(from, request)
      if (m?.type === 'checksum') return this.encodeChecksum()
      if (m?.type === 'digest' || m?.type === 'signed-digest') this.deps.merge(from, m.members)
      return this.encode()
    })
  }

  /** One reconciliation with a random connected peer (the periodic tick). */
  tick(): void {
    const peer = this.deps.random.pick(this.deps.transport.connectedPeers())
    if (peer !== undefined) void this.reconcile(peer)
  }

  /** Checksums first; the full exchange only when they differ. */
  async reconcile(peerId: string): Promise<void> {
    if (!this.deps.isRunning()) return
    let response: Uint8Array
    try {
      response = await this.deps.transport.request(peerId, SYNC_PROTOCOL, this.encodeChecksum(), this.deps.requestTimeoutMs)
    } catch (err) {
      this.stats.syncErrors++
      this.deps.logger.debug({ err, peer: peerId }, 'anti-entropy checksum exchange failed')
      return
    }
    const m = this.decode(peerId, response)
    if (m?.type === 'checksum' && m.checksum === this.checksum()) {
      this.stats.inSync++
      return
    }
    // A peer without the checksum message answered with its digest: take it, then send ours.
    if (m?.type === 'digest' || m?.type === 'signed-digest') this.deps.merge(peerId, m.members)
    await this.syncWith(peerId)
  }

  /** The checksum of this node's current digest (cached per version()). */
  checksum(): string {
    const version = this.deps.version()
    if (this.cached?.version !== version) this.cached = { version, checksum: digestChecksum(this.deps.entries()) }
    return this.cached.checksum
  }

  async syncWith(peerId: string): Promise<void> {
    if (!this.deps.isRunning()) return
    try {
      const response = await this.deps.transport.request(peerId, SYNC_PROTOCOL, this.encode(), this.deps.requestTimeoutMs)
      this.stats.syncs++
      this.receive(peerId, response)
    } catch (err) {
      this.stats.syncErrors++
      this.deps.logger.debug({ err, peer: peerId }, 'anti-entropy exchange failed')
    }
  }

  /** Sends the current digest to each of `peers` and waits for their answers (or the timeout). */
  async push(peers: readonly string[], timeoutMs: number): Promise<void> {
    const digest = this.encode()
    await Promise.allSettled(peers.map((p) => this.deps.transport.request(p, SYNC_PROTOCOL, digest, timeoutMs)))
  }

  private encode(): Uint8Array {
    return encodeMessage({ type: 'signed-digest', ...this.deps.header(), members: this.deps.entries() })
  }

  private encodeChecksum(): Uint8Array {
    return encodeMessage({ type: 'checksum', ...this.deps.header(), checksum: this.checksum() })
  }

  private receive(from: string, bytes: Uint8Array): void {
    const m = this.decode(from, bytes)
    if (m?.type === 'digest' || m?.type === 'signed-digest') this.deps.merge(from, m.members)
    else if (m !== undefined) this.stats.syncErrors++
  }

  /** A digest or checksum from `from` of this cluster, or undefined (counted as an error). */
  private decode(from: string, bytes: Uint8Array): DigestMessage | SignedDigestMessage | ChecksumMessage | undefined {
    const shared = this.deps.transport.sharedValues
    const decoded = shared !== undefined ? shared.decodeOnce(bytes, SYNC_BYTES_MAX) : decodeMessage(bytes, SYNC_BYTES_MAX)
    const m = decoded.ok ? decoded.message : undefined
    if (m === undefined || (m.type !== 'digest' && m.type !== 'signed-digest' && m.type !== 'checksum') || m.cluster !== this.deps.cluster || m.sender !== from) {
      this.stats.syncErrors++
      return undefined
    }
    return m
  }
}
