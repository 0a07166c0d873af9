import type { Logger } from '../runtime/logger.ts'
import type { Random } from '../runtime/random.ts'
import { decodeMessage, encodeMessage, type MemberDigestEntry } from '../transport/codec.ts'
import { SYNC_PROTOCOL } from '../transport/topics.ts'
import type { Transport } from '../transport/types.ts'

/**
 * The anti-entropy member exchange (as in Serf's push-pull and chitchat's digests): periodically,
 * this node sends its whole member digest to one random connected peer over a request/response
 * stream and merges the digest it gets back. It repairs whatever the join/leave gossip missed
 * (partitions, late joiners, lost messages), and is how a joining node learns the cluster.
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
  /** Applies a digest received from `from` (already checked to come from it). */
  merge(from: string, entries: MemberDigestEntry[]): void
  isRunning(): boolean
}

/** Bytes allowed for one digest (a cluster of 10,000 members fits). */
export const SYNC_BYTES_MAX = 4 * 1024 * 1024

export class AntiEntropy {
  readonly stats = { syncs: 0, syncErrors: 0 }
  private readonly deps: AntiEntropyDeps

  constructor(deps: AntiEntropyDeps) {
    this.deps = deps
  }

  /** Serves the exchange: merge theirs, answer with ours. */
  install(): void {
    this.deps.transport.handle(SYNC_PROTOCOL, async (from, request) => {
      this.receive(from, request)
      return this.encode()
    })
  }

  /** One exchange with a random connected peer (the periodic tick). */
  tick(): void {
    const peer = this.deps.random.pick(this.deps.transport.connectedPeers())
    if (peer !== undefined) void this.syncWith(peer)
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
    return encodeMessage({ type: 'digest', ...this.deps.header(), members: this.deps.entries() })
  }

  private receive(from: string, bytes: Uint8Array): void {
    const decoded = decodeMessage(bytes, SYNC_BYTES_MAX)
    if (!decoded.ok || decoded.message.type !== 'digest' || decoded.message.cluster !== this.deps.cluster || decoded.message.sender !== from) {
      this.stats.syncErrors++
      return
    }
    this.deps.merge(from, decoded.message.members)
  }
}
