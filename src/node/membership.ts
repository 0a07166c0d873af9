import { MemberTable, type Member } from '../membership/member-table.ts'
import { INITIAL_REFUTATION, refutationStep, type RefutationInput } from '../membership/refutation.ts'
import {
  heartbeatChangesNothing, isNewerProof, trustStep, TRUST_DROP_REASONS, type OwnStatement, type SenderStanding, type Tombstone, type TrustDropReason, type TrustInput
} from '../membership/trust.ts'
import type { Clock } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'
import {
  recordSigningBytes, type ForceLeaveMessage, type MemberDigestEntry, type MemberRecord, type MemberState, type RecordMessage, type VerdictMessage
} from '../transport/codec.ts'
import type { Transport } from '../transport/types.ts'
import type { Identity } from './identity.ts'
import type { NodeOptions } from './options.ts'

/**
 * The shell around the trust rules (src/membership/trust.ts): it owns the member table and the
 * tombstones of reaped members, checks the signatures of records (once per record: a record
 * already held is compared, not verified again), feeds each message to the pure step, applies
 * what the step decides, counts every drop by reason, and rate-limits refutations
 * (src/membership/refutation.ts). MessageRouter routes every membership message here.
 */
export interface MembershipDeps {
  transport: Pick<Transport, 'peerId' | 'sign' | 'verify' | 'listenAddresses' | 'sharedValues'>
  identity: Identity
  clock: Clock
  logger: Logger
  options: Pick<NodeOptions, 'cluster' | 'membersMax' | 'reapAfterMs' | 'incarnationAheadMax' | 'digestNewMembersMax' | 'refutationIntervalMsMin'>
  /** S's observers in this node's rings (everyone, in a small cluster). */
  observersOf(subject: string): readonly string[]
  /** A member's facts changed; `membershipChanged` when it is new or its left flag moved (the rings depend on it). */
  onChanged(id: string, membershipChanged: boolean): void
  /** This node raised its incarnation to refute a claim: announce it. */
  onRefuted(why: string): void
}

export class Membership {
  readonly members: MemberTable
  /** Inputs the trust rules refused, by reason (exported on /metrics). */
  readonly dropped: Record<TrustDropReason, number>
  private readonly deps: MembershipDeps
  /** Reaped members: nothing at or below their last incarnation brings them back. Bounded by membersMax. */
  private readonly tombstones = new Map<string, Tombstone>()
  private refutation = INITIAL_REFUTATION
  private ownRecordCache: { key: string; record: MemberRecord } | undefined

  constructor(deps: MembershipDeps) {
    this.deps = deps
    this.members = new MemberTable(deps.transport.peerId, deps.options.membersMax)
    this.dropped = Object.fromEntries(TRUST_DROP_REASONS.map((r) => [r, 0])) as Record<TrustDropReason, number>
  }

  get tombstoneCount(): number {
    return this.tombstones.size
  }

  /** A member's own heartbeat, join or leave (the gossip validator checked it comes from the member). */
  onOwn(statement: OwnStatement): void {
    this.run(statement.id, { type: 'own', statement }, this.members.hasRoom() ? 'yes' : 'full')
  }

  /**
   * A member's heartbeat: most change nothing but when the member was last heard of (then the
   * trust step is not run: heartbeatChangesNothing is its answer for them).
   */
  onHeartbeat(id: string, incarnation: number, nowMs: number): void {
    const known = this.members.get(id)
    if (known !== undefined && heartbeatChangesNothing(known, this.tombstones.get(id), incarnation)) {
      known.updatedMs = nowMs
      return
    }
    this.onOwn({ id, incarnation, left: false })
    this.members.touch(id, nowMs)
  }

  /** A member's own signed record (events topic): checked once, then kept to relay as proof. */
  onRecord(m: RecordMessage): void {
    const made = { incarnation: m.incarnation, left: m.left, signature: m.signature }
    const proof = this.deps.transport.sharedValues?.proof(m.sender, made) ?? made
    const held = this.members.get(m.sender)?.proof
    if (held === undefined || isNewerProof(proof, held)) {
      if (!this.verifies(m.sender, { name: m.name, addrs: m.addrs, ...proof })) {
        this.dropped['bad-proof']++
        return
      }
    }
    this.onOwn({ id: m.sender, incarnation: m.incarnation, left: m.left, name: m.name, addrs: m.addrs, proof })
  }

  /** A verdict; true when it passed the rules and should be recorded. */
  onVerdict(m: VerdictMessage): boolean {
    const fromObserver = this.deps.observersOf(m.subject).includes(m.sender)
    const input: TrustInput = { type: 'verdict', from: m.sender, subject: m.subject, subjectIncarnation: m.subjectIncarnation, state: m.state, fromObserver }
    return this.run(m.subject, input, 'yes').recordVerdict
  }

  /** An operator's force-leave of a member (healthmon force-leave); false when it is unknown. */
  forceLeave(id: string): boolean {
    if (!this.members.has(id)) return false
    this.run(id, { type: 'force-leave', id }, 'yes')
    return true
  }

  /** A cluster-wide alerting update (marks, silences) from `from`; true when it passed the rules. */
  onAlerting(from: string, sender: SenderStanding): boolean {
    return this.run(from, { type: 'alerting', from, sender }, 'yes').accepted
  }

  /**
   * A force-leave gossiped by `m.sender` (an operator's, issued there); `subjectDead`: the
   * subject is dead in this node's view. True when it made the subject left here.
   */
  onForceLeave(m: ForceLeaveMessage, sender: SenderStanding, subjectDead: boolean): boolean {
    const input: TrustInput = { type: 'cluster-force-leave', from: m.sender, sender, subject: m.subject, subjectIncarnation: m.subjectIncarnation, subjectDead }
    return this.run(m.subject, input, 'yes').changed
  }

  /** Merges a digest received from `from`: at most digestNewMembersMax new members and as many signature checks. */
  mergeDigest(from: string, entries: readonly MemberDigestEntry[]): void {
    let newMembersLeft = this.deps.options.digestNewMembersMax
    let verifiesLeft = this.deps.options.digestNewMembersMax
    for (const e of entries) {
      const known = this.members.get(e.id)
      let proof: 'valid' | 'invalid' | 'none' = 'none'
      if (e.proof !== undefined) {
        const held = known?.proof
        if (held !== undefined && !isNewerProof(e.proof, held)) {
          // What this node holds is as new: same record (nothing to check) or an older one (a bare claim).
          proof = sameRecord(known!, e) ? 'valid' : 'none'
        } else if (verifiesLeft <= 0) {
          this.dropped['digest-budget']++
          continue
        } else {
          verifiesLeft--
          proof = this.verifies(e.id, { name: e.name, addrs: e.addrs, ...e.proof }) ? 'valid' : 'invalid'
        }
      }
      const room = !this.members.hasRoom() ? 'full' : newMembersLeft <= 0 ? 'budget' : 'yes'
      if (this.run(e.id, { type: 'digest-entry', from, entry: e, proof }, room).added) newMembersLeft--
    }
  }

  /** Time passed: a refutation put off by refutationIntervalMsMin may be due. */
  tick(): void {
    this.refute({ type: 'tick' }, 'a claim put off by the refutation limit')
  }

  /** Forgets dead or left members unchanged for reapAfterMs, leaving tombstones for as long again. */
  reap(isGone: (m: Member) => boolean): string[] {
    const now = this.deps.clock.now()
    for (const [id, t] of this.tombstones) if (t.untilMs <= now) this.tombstones.delete(id)
    const before = new Map<string, number>()
    const reaped = this.members.reap(now, this.deps.options.reapAfterMs, (m) => {
      const gone = isGone(m)
      if (gone) before.set(m.id, m.incarnation)
      return gone
    })
    for (const id of reaped) {
      if (this.tombstones.size >= this.deps.options.membersMax) {
        const oldest = this.tombstones.keys().next().value
        if (oldest !== undefined) this.tombstones.delete(oldest)
      }
      this.tombstones.set(id, { incarnation: before.get(id) ?? 0, untilMs: now + this.deps.options.reapAfterMs })
    }
    return reaped
  }

  /** This node's own signed record (signed again only when its incarnation, addresses or leaving change). */
  ownRecord(leaving: boolean): MemberRecord {
    const { identity, transport } = this.deps
    const facts = { id: identity.id, name: identity.name, addrs: transport.listenAddresses(), incarnation: identity.incarnation, left: leaving }
    const key = `${facts.incarnation}\n${facts.left}\n${facts.addrs.join(' ')}`
    if (this.ownRecordCache?.key !== key) {
      this.ownRecordCache = { key, record: { ...facts, signature: transport.sign(recordSigningBytes(this.deps.options.cluster, facts)) } }
    }
    return this.ownRecordCache.record
  }

  /** The digest: this node first (with its record), then every member it knows (with theirs, when held). */
  digest(leaving: boolean, stateOf: (m: Member) => MemberState): MemberDigestEntry[] {
    const r = this.ownRecord(leaving)
    const self: MemberDigestEntry = {
      id: r.id, name: r.name, incarnation: r.incarnation, state: leaving ? 'left' : 'alive', addrs: r.addrs,
      proof: { incarnation: r.incarnation, left: r.left, signature: r.signature }
    }
    return [self, ...this.members.digest(stateOf)]
  }

  /** Runs the step for one input about `id`; applies and counts what it decides. */
  private run(id: string, input: TrustInput, room: 'yes' | 'full' | 'budget'): { added: boolean; recordVerdict: boolean; accepted: boolean; changed: boolean } {
    const known = this.members.get(id)
    const result = trustStep({
      selfId: this.deps.identity.id,
      selfIncarnation: this.deps.identity.incarnation,
      known,
      tombstone: this.tombstones.get(id),
      room,
      incarnationAheadMax: this.deps.options.incarnationAheadMax,
      nowMs: this.deps.clock.now()
    }, input)
    let recordVerdict = false
    let accepted = false
    for (const effect of result.effects) {
      switch (effect.type) {
        case 'drop': this.dropped[effect.reason]++; break
        case 'members-full': this.members.refused++; break
        case 'refute': this.refute({ type: 'claim', incarnation: effect.claimedIncarnation }, effect.why); break
        case 'record-verdict': recordVerdict = true; break
        case 'accept-alerting': accepted = true; break
      }
    }
    if (result.member !== undefined) {
      this.members.apply(result.member, this.deps.clock.now())
      if (result.added) this.tombstones.delete(id)
      this.deps.onChanged(id, known === undefined || known.left !== result.member.left)
    }
    return { added: result.added, recordVerdict, accepted, changed: result.member !== undefined }
  }

  private refute(input: RefutationInput, why: string): void {
    const { identity } = this.deps
    const result = refutationStep(this.refutation, input, { incarnation: identity.incarnation, nowMs: this.deps.clock.now(), intervalMsMin: this.deps.options.refutationIntervalMsMin })
    this.refutation = result.state
    if (result.dropped !== undefined) this.dropped[result.dropped]++
    if (result.raiseTo === undefined || !identity.refute(result.raiseTo - 1)) return
    this.deps.logger.warn({ incarnation: identity.incarnation, why }, 'refuting a claim about this node')
    this.deps.onRefuted(why)
  }

  private verifies(id: string, r: { name: string; addrs: string[]; incarnation: number; left: boolean; signature: Uint8Array }): boolean {
    const bytes = recordSigningBytes(this.deps.options.cluster, { id, name: r.name, addrs: r.addrs, incarnation: r.incarnation, left: r.left })
    return this.deps.transport.verify(id, bytes, r.signature)
  }
}

function sameRecord(m: Member, e: MemberDigestEntry): boolean {
  const a = m.proof!
  const b = e.proof!
  return a.incarnation === b.incarnation && a.left === b.left && m.name === e.name && m.addrs.join(' ') === e.addrs.join(' ') && Buffer.compare(a.signature, b.signature) === 0
}
