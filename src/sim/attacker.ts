import type { WireMark, WireSilence } from '../transport/alerting-wire.ts'
import { encodeMessage, INCARNATION_MAX, recordSigningBytes, type MemberDigestEntry, type VerdictState, type WireMessage } from '../transport/codec.ts'
import { eventsTopic, heartbeatTopic, SYNC_PROTOCOL } from '../transport/topics.ts'
import type { Transport } from '../transport/types.ts'

/**
 * A hostile member's toolkit (issue 11's attack list), over any Transport: the in-memory network
 * in tests, libp2p against real agents in scripts/attack.ts. It holds only its own key, as the
 * measured attacker did, and sends well-formed messages that pass the gossip validator; what the
 * agents do with them is up to the trust rules (src/membership/trust.ts). Every loop here is
 * bounded by the count it is given.
 */
export interface Victim {
  id: string
  incarnation: number
}

export class Attacker {
  private readonly transport: Transport
  private readonly cluster: string
  private seq = 0

  constructor(transport: Transport, cluster: string) {
    this.transport = transport
    this.cluster = cluster
  }

  get id(): string {
    return this.transport.peerId
  }

  /** `count` ids that belong to no one (fake 12D3KooW-style names). */
  static phantomIds(count: number, tag = 'phantom'): string[] {
    return Array.from({ length: count }, (_, i) => `12D3KooW${tag}${String(i).padStart(6, '0')}`)
  }

  /** The last heartbeat overheard from each member whose topic this attacker listens to (see overhear). */
  readonly overheard = new Map<string, Uint8Array>()

  /** Subscribes to the events topic (so gossipsub meshes this node into it). */
  listen(): void {
    this.transport.subscribe(eventsTopic(this.cluster))
  }

  /** Listens to a member's heartbeat topic, keeping its latest heartbeat's bytes (to replay them). */
  overhear(member: string): void {
    const topic = heartbeatTopic(this.cluster, member)
    this.transport.subscribe(topic, { relay: false })
    this.transport.onMessage((msg) => {
      if (msg.topic === topic) this.overheard.set(member, msg.data)
    })
  }

  /** Announces itself with a genuine signed record: from then on it is a member (an observer in a small cluster). */
  async announce(name = 'mallory'): Promise<void> {
    await this.record(name, false)
    await this.heartbeat()
  }

  /** Announces a genuine signed leave: from then on it is a member that left (and yet may keep talking). */
  async leave(name = 'mallory'): Promise<void> {
    await this.record(name, true)
  }

  private async record(name: string, left: boolean): Promise<void> {
    const facts = { id: this.id, name, addrs: this.transport.listenAddresses(), incarnation: 1, left }
    const signature = this.transport.sign(recordSigningBytes(this.cluster, facts))
    await this.publishEvent({ type: 'record', ...this.header(), name, addrs: facts.addrs, left, signature })
  }

  async heartbeat(topicOwner = this.id): Promise<void> {
    await this.transport.publish(heartbeatTopic(this.cluster, topicOwner), encodeMessage({ type: 'heartbeat', ...this.header(), health: { status: 'healthy', checksFailing: 0 } }))
  }

  /** One verdict per subject (e.g. `alive` about phantoms, `dead` about a live node). */
  async verdicts(subjects: readonly string[], state: VerdictState, subjectIncarnation = 1): Promise<void> {
    for (const subject of subjects) {
      await this.publishEvent({ type: 'verdict', ...this.header(), subject, subjectIncarnation, state, subjectStatus: 'healthy' })
    }
  }

  /** `count` alerting messages (marks in this attacker's name, silences valid or not), published at once. */
  async alerting(update: { marks?: WireMark[]; silences?: WireSilence[] }, count = 1): Promise<void> {
    for (let i = 0; i < count; i++) await this.publishEvent({ type: 'alerting', ...this.header(), marks: update.marks ?? [], silences: update.silences ?? [] })
  }

  /** A force-leave of `subject` (e.g. a live member), as if an operator had issued it here. */
  async forceLeave(subject: string, subjectIncarnation: number): Promise<void> {
    await this.publishEvent({ type: 'force-leave', ...this.header(), subject, subjectIncarnation })
  }

  /**
   * Sends a digest to `peer` over the anti-entropy protocol; resolves with whether it answered.
   * Without a row about the attacker itself: its own row would make it a member (first-hand).
   */
  async digest(peer: string, members: MemberDigestEntry[], timeoutMs = 5000): Promise<boolean> {
    const bytes = encodeMessage({ type: 'signed-digest', ...this.header(), members })
    try {
      await this.transport.request(peer, SYNC_PROTOCOL, bytes, timeoutMs)
      return true
    } catch {
      return false
    }
  }

  /** Digest rows about phantoms: bare, or with a signature that is not theirs (`forgedProof`). */
  static phantomRows(ids: readonly string[], options: { forgedProof?: boolean; addrs?: string[] } = {}): MemberDigestEntry[] {
    return ids.map((id) => {
      const row: MemberDigestEntry = { id, name: id.slice(-10), incarnation: 1, state: 'alive', addrs: options.addrs ?? ['/ip4/127.0.0.1/tcp/9'] }
      if (options.forgedProof === true) row.proof = { incarnation: 1, left: false, signature: new Uint8Array(64).fill(7) }
      return row
    })
  }

  /** A row about a real member with attacker-chosen addresses, slightly ahead so it would win. */
  static redirectRow(victim: Victim & { name: string }, addrs: string[]): MemberDigestEntry {
    return { id: victim.id, name: victim.name, incarnation: victim.incarnation + 1, state: 'alive', addrs }
  }

  /** A row saying a live member left. */
  static forgedLeaveRow(victim: Victim & { name: string }): MemberDigestEntry {
    return { id: victim.id, name: victim.name, incarnation: victim.incarnation, state: 'left', addrs: [] }
  }

  /** Poison incarnations: at the largest the wire allows, just below it, and at 2^53 - 1. */
  static readonly POISON_INCARNATIONS = [INCARNATION_MAX, INCARNATION_MAX - 1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1]

  private header(): { cluster: string; sender: string; incarnation: number; seq: number } {
    return { cluster: this.cluster, sender: this.id, incarnation: 1, seq: this.seq++ }
  }

  private async publishEvent(message: WireMessage): Promise<void> {
    await this.transport.publish(eventsTopic(this.cluster), encodeMessage(message))
  }
}
