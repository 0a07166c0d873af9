import type { MemberDigestEntry, MemberState, RecordProof, VerdictState } from '../transport/codec.ts'

/**
 * The trust rules for membership and verdicts, as a pure step: what one input may teach this
 * node about one member. The shell (src/node/membership.ts) owns the member table, verifies
 * signatures, and applies the returned member and effects.
 *
 * Rules (issue 11), and why:
 * - A member is learned only from its own word: its heartbeat or announcement (gossipsub's
 *   StrictSign binds the message to its signer, and the validator checks sender = signer), its
 *   own row in a digest it sent (the sync stream is authenticated by noise), or a digest entry
 *   carrying its signed record (checked from its id alone). Never from a verdict's subject or a
 *   bare digest row: otherwise anyone can make every view fill with phantoms.
 * - Name and addresses come only from those same statements, so nobody can make this node dial
 *   an address a member did not give itself.
 * - `incarnation` is the highest one the member stated itself. A claim about it (a verdict, a
 *   digest row) more than `incarnationAheadMax` above is rejected: an honest claimer only knows
 *   incarnations the member signed, and the margin covers a refutation whose record has not
 *   reached this node yet. About this node itself the margin is zero: nobody can honestly know a
 *   higher incarnation of this node than this node (SWIM §4.2 refutes with claim + 1).
 * - A verdict about S counts only from one of S's observers in this node's rings (in a cluster of
 *   k + 1 or fewer, everyone observes everyone): a non-observer cannot turn S suspect or mask its
 *   death.
 * - `left` is taken only from the member itself (its signed leave) or an operator's force-leave:
 *   issued here, or relayed by a live member (cluster force-leave) and then only about a member
 *   that is dead in this node's own view (Serf's rule: force-leave removes failed members only),
 *   so no member can make a live node vanish. A force-leave about this node is refuted.
 * - Cluster-wide alerting updates (notification marks, silences) count only from a member this
 *   node knows and holds neither dead nor left.
 * - A reaped member leaves a tombstone: nothing at or below its last incarnation brings it back.
 * - Digest hearsay (a row's state) applies only to a member the same entry introduces (a joiner
 *   learning who is dead); about known members the verdicts of their observers decide.
 *
 * The step sees one member at a time: the table is the shell's, since copying 10,000 members per
 * message would be the price of a pure step over the whole table.
 */
export interface MemberFacts {
  id: string
  name: string
  addrs: string[]
  /** The highest incarnation the member stated itself. */
  incarnation: number
  left: boolean
  /** State a digest claimed when it introduced the member, until better evidence (see aggregate.ts). */
  hearsay: MemberState
  /** The member's latest signed record (with this name and addrs), relayed in digests. */
  proof?: RecordProof
}

/** A member's own statement: its heartbeat, announcement, own digest row, or signed record. */
export interface OwnStatement {
  id: string
  incarnation: number
  left: boolean
  name?: string
  addrs?: string[]
  /** Present when the statement is a verified signed record (with `name` and `addrs`). */
  proof?: RecordProof
}

export type TrustInput =
  | { type: 'own'; statement: OwnStatement }
  /** An entry of a digest sent by `from`; `proof` says whether its record verified. */
  | { type: 'digest-entry'; from: string; entry: MemberDigestEntry; proof: 'valid' | 'invalid' | 'none' }
  | { type: 'verdict'; from: string; subject: string; subjectIncarnation: number; state: VerdictState; fromObserver: boolean }
  /** An operator's force-leave (healthmon force-leave). */
  | { type: 'force-leave'; id: string }
  /**
   * An operator's force-leave issued at `from` and gossiped (the context's member is the
   * subject). `sender`: what this node holds of `from`; `subjectDead`: the subject is dead in
   * this node's own view.
   */
  | { type: 'cluster-force-leave'; from: string; sender: SenderStanding; subject: string; subjectIncarnation: number; subjectDead: boolean }
  /** A cluster-wide alerting update (marks, silences) from `from` (the context's member is the sender). */
  | { type: 'alerting'; from: string; sender: SenderStanding }

/** What this node holds of a message's sender: unknown, or known and live (not dead, not left), or gone. */
export type SenderStanding = 'unknown' | 'live' | 'gone'

export interface Tombstone {
  incarnation: number
  untilMs: number
}

/** What the step reads about the input's member and this node. */
export interface TrustContext {
  selfId: string
  selfIncarnation: number
  /** The table's entry for the input's member (the subject, for a verdict). */
  known: MemberFacts | undefined
  tombstone: Tombstone | undefined
  /** Whether a new member can be added: 'full' at membersMax, 'budget' past the exchange's digestNewMembersMax. */
  room: 'yes' | 'full' | 'budget'
  incarnationAheadMax: number
  nowMs: number
}

export type TrustDropReason =
  | 'unproven-member'
  | 'unknown-subject'
  | 'bad-proof'
  | 'not-observer'
  | 'incarnation-ahead'
  | 'forged-leave'
  | 'tombstoned'
  | 'digest-budget'
  | 'refutation-deferred'
  | 'incarnation-cap'
  | 'unknown-sender'
  | 'sender-not-live'
  | 'force-leave-live'
  | 'force-leave-stale'

export const TRUST_DROP_REASONS: readonly TrustDropReason[] = [
  'unproven-member', 'unknown-subject', 'bad-proof', 'not-observer', 'incarnation-ahead',
  'forged-leave', 'tombstoned', 'digest-budget', 'refutation-deferred', 'incarnation-cap',
  'unknown-sender', 'sender-not-live', 'force-leave-live', 'force-leave-stale'
]

export type TrustEffect =
  | { type: 'drop'; reason: TrustDropReason }
  /** membersMax reached: counted as MemberTable.refused. */
  | { type: 'members-full' }
  /** A claim about this node that passed the rules: refute it (the shell rate-limits). */
  | { type: 'refute'; claimedIncarnation: number; why: string }
  /** The verdict passed the rules: record it in the report store. */
  | { type: 'record-verdict' }
  /** The alerting update passed the rules: hand it to the alerting runtime. */
  | { type: 'accept-alerting' }

export interface TrustResult {
  /** The member's new facts when they changed (added: it was unknown). */
  member?: MemberFacts
  added: boolean
  effects: TrustEffect[]
}

const NOTHING: TrustResult = { added: false, effects: [] }
const drop = (reason: TrustDropReason): TrustResult => ({ added: false, effects: [{ type: 'drop', reason }] })

export function trustStep(ctx: TrustContext, input: TrustInput): TrustResult {
  switch (input.type) {
    case 'own': return ownStatement(ctx, input.statement)
    case 'digest-entry': return digestEntry(ctx, input.from, input.entry, input.proof)
    case 'verdict': return verdict(ctx, input)
    case 'force-leave': {
      const k = ctx.known
      if (input.id === ctx.selfId) return NOTHING
      if (k === undefined) return drop('unknown-subject')
      if (k.left) return NOTHING
      return { member: { ...k, left: true, hearsay: 'left' }, added: false, effects: [] }
    }
    case 'cluster-force-leave': return clusterForceLeave(ctx, input)
    case 'alerting': {
      const refused = senderRefused(input.sender)
      return refused ?? { added: false, effects: [{ type: 'accept-alerting' }] }
    }
  }
}

function senderRefused(sender: SenderStanding): TrustResult | undefined {
  if (sender === 'unknown') return drop('unknown-sender')
  if (sender === 'gone') return drop('sender-not-live')
  return undefined
}

function clusterForceLeave(ctx: TrustContext, f: Extract<TrustInput, { type: 'cluster-force-leave' }>): TrustResult {
  const refused = senderRefused(f.sender)
  if (refused !== undefined) return refused
  if (f.subject === ctx.selfId) {
    // About this node, which is alive: refused, and refuted (claim + 1) so that whoever took it
    // (an operator's node that held this one dead) sees this node come back above it.
    if (f.subjectIncarnation > ctx.selfIncarnation) return drop('incarnation-ahead')
    if (f.subjectIncarnation < ctx.selfIncarnation) return drop('force-leave-stale')
    return { added: false, effects: [{ type: 'drop', reason: 'force-leave-live' }, { type: 'refute', claimedIncarnation: f.subjectIncarnation, why: `${f.from} relayed a force-leave of this node` }] }
  }
  const k = ctx.known
  if (k === undefined) return drop(ctx.tombstone !== undefined ? 'tombstoned' : 'unknown-subject')
  if (k.left) return NOTHING
  if (f.subjectIncarnation > k.incarnation + ctx.incarnationAheadMax) return drop('incarnation-ahead')
  // It came back (a higher incarnation than the operator's node knew) since it was force-left.
  if (f.subjectIncarnation < k.incarnation) return drop('force-leave-stale')
  if (!f.subjectDead) return drop('force-leave-live')
  return { member: { ...k, left: true, hearsay: 'left' }, added: false, effects: [] }
}

/**
 * Whether a member's bare heartbeat (no name, addresses or record) at `incarnation` is one the
 * step answers with nothing, for a member the table holds: it has no tombstone (a known member
 * never has one) and the heartbeat states no newer incarnation. This is the most common case of ownStatement below, asked first
 * by the shell because every heartbeat takes it (trust.test.ts checks the two agree).
 */
export function heartbeatChangesNothing(known: MemberFacts, tombstone: Tombstone | undefined, incarnation: number): boolean {
  return tombstone === undefined && incarnation <= known.incarnation
}

function ownStatement(ctx: TrustContext, s: OwnStatement): TrustResult {
  if (s.id === ctx.selfId) {
    // Only a record this node signed in an earlier life (its data dir was lost) can be above its
    // incarnation: move past it, or every peer would hold the old life as newer.
    if (s.proof !== undefined && s.incarnation > ctx.selfIncarnation) return refute(s.incarnation, 'an own record from an earlier life')
    return NOTHING
  }
  if (ctx.tombstone !== undefined && s.incarnation <= ctx.tombstone.incarnation) return drop('tombstoned')
  const k = ctx.known
  if (k === undefined) {
    if (ctx.room === 'full') return { added: false, effects: [{ type: 'members-full' }] }
    if (ctx.room === 'budget') return drop('digest-budget')
    const member: MemberFacts = {
      id: s.id, name: s.name ?? s.id, addrs: s.addrs ?? [], incarnation: s.incarnation, left: s.left, hearsay: s.left ? 'left' : 'alive'
    }
    if (s.proof !== undefined) member.proof = s.proof
    return { member, added: true, effects: [] }
  }
  // Most statements (a heartbeat at the known incarnation) change nothing: no copy then.
  const newer = s.incarnation > k.incarnation
  const leaves = s.incarnation === k.incarnation && s.left && !k.left
  const takesProof = s.proof !== undefined && isNewerProof(s.proof, k.proof)
  const fillsIn = !takesProof && k.proof === undefined && s.incarnation >= k.incarnation &&
    ((s.name !== undefined && s.name !== k.name) || (s.addrs !== undefined && s.addrs.length > 0 && s.addrs.join(' ') !== k.addrs.join(' ')))
  if (!newer && !leaves && !takesProof && !fillsIn) return NOTHING
  const next: MemberFacts = { ...k }
  if (newer) {
    next.incarnation = s.incarnation
    next.left = s.left
    next.hearsay = s.left ? 'left' : 'alive'
  } else if (leaves) {
    next.left = true
    next.hearsay = 'left'
  }
  if (takesProof) {
    next.proof = s.proof
    next.name = s.name ?? next.name
    next.addrs = s.addrs ?? next.addrs
  } else if (fillsIn) {
    // An unsigned own statement (an older node's join, its own digest row) fills in what no
    // record has given yet.
    if (s.name !== undefined) next.name = s.name
    if (s.addrs !== undefined && s.addrs.length > 0) next.addrs = s.addrs
  }
  return { member: next, added: false, effects: [] }
}

function digestEntry(ctx: TrustContext, from: string, e: MemberDigestEntry, proof: 'valid' | 'invalid' | 'none'): TrustResult {
  if (proof === 'invalid') return drop('bad-proof')
  const verified = proof === 'valid' ? e.proof : undefined
  if (e.id === ctx.selfId) return aboutSelf(ctx, e, verified)
  if (e.id === from) {
    // The sender's own row: first-hand (the exchange is authenticated), with or without a record.
    return ownStatement(ctx, { id: e.id, incarnation: verified?.incarnation ?? e.incarnation, left: verified?.left ?? e.state === 'left', name: e.name, addrs: e.addrs, proof: verified })
  }
  if (verified === undefined) {
    const k = ctx.known
    if (k === undefined) return drop(ctx.tombstone !== undefined ? 'tombstoned' : 'unproven-member')
    return judgeClaim(ctx, k, e) ?? NOTHING
  }
  const learned = ownStatement(ctx, { id: e.id, incarnation: verified.incarnation, left: verified.left, name: e.name, addrs: e.addrs, proof: verified })
  if (learned.effects.length > 0) return learned
  const member = learned.member ?? ctx.known
  if (member === undefined) return learned
  const rejected = judgeClaim(ctx, member, e)
  if (learned.added && rejected !== undefined && e.state === 'left' && e.incarnation <= member.incarnation && !verified.left) {
    // A row saying left, with the member's alive record, about a member this entry introduces:
    // how a member force-left elsewhere is relayed (or a forged claim). Not taken as left (only
    // the member or a force-leave may say that), but as dead hearsay, which a dead row may claim
    // too and the member's own heartbeat overrides; a relayed force-leave can then be taken here.
    return { member: { ...member, hearsay: 'dead' }, added: true, effects: [] }
  }
  if (rejected !== undefined) return { ...rejected, member: learned.member, added: learned.added }
  if (learned.added && e.state === 'dead' && e.incarnation >= member.incarnation) {
    return { member: { ...member, hearsay: 'dead' }, added: true, effects: [] }
  }
  return learned
}

/** A digest row's claim about a known member: undefined when it passes (it teaches nothing more). */
function judgeClaim(ctx: TrustContext, k: MemberFacts, e: MemberDigestEntry): TrustResult | undefined {
  if (e.incarnation > k.incarnation + ctx.incarnationAheadMax) return drop('incarnation-ahead')
  if (e.state === 'left' && !k.left && e.incarnation >= k.incarnation) return drop('forged-leave')
  return undefined
}

function aboutSelf(ctx: TrustContext, e: MemberDigestEntry, verified: RecordProof | undefined): TrustResult {
  const own = ctx.selfIncarnation
  if (verified !== undefined && verified.incarnation > own) return refute(verified.incarnation, 'an own record from an earlier life')
  if (e.incarnation < own) return NOTHING
  if (e.incarnation > own) return drop('incarnation-ahead')
  if (e.state === 'left') return verified?.left === true ? refute(e.incarnation, 'an own leave record from an earlier life') : drop('forged-leave')
  if (e.state === 'dead') return refute(e.incarnation, 'a digest says this node is dead')
  return NOTHING
}

function verdict(ctx: TrustContext, v: Extract<TrustInput, { type: 'verdict' }>): TrustResult {
  if (v.subject === ctx.selfId) {
    if (!v.fromObserver) return drop('not-observer')
    if (v.subjectIncarnation > ctx.selfIncarnation) return drop('incarnation-ahead')
    // Only a dead verdict is refuted. A suspicion clears by itself when the observer's next
    // heartbeat arrives (or its probe is answered); refuting it too would re-incarnate this node
    // on every lost heartbeat, and over a one-way link it would flap alive/suspect for ever.
    if (v.state === 'dead' && v.subjectIncarnation === ctx.selfIncarnation) return refute(v.subjectIncarnation, `${v.from} reported this node dead`)
    return NOTHING
  }
  const k = ctx.known
  if (k === undefined) return drop('unknown-subject')
  if (!v.fromObserver) return drop('not-observer')
  if (v.subjectIncarnation > k.incarnation + ctx.incarnationAheadMax) return drop('incarnation-ahead')
  return { added: false, effects: [{ type: 'record-verdict' }] }
}

function refute(claimedIncarnation: number, why: string): TrustResult {
  return { added: false, effects: [{ type: 'refute', claimedIncarnation, why }] }
}

/** Whether `a` supersedes `b`: a higher incarnation, or the same one's leave. */
export function isNewerProof(a: RecordProof, b: RecordProof | undefined): boolean {
  if (b === undefined) return true
  return a.incarnation > b.incarnation || (a.incarnation === b.incarnation && a.left && !b.left)
}
