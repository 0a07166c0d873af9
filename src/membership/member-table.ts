import type { MemberDigestEntry, MemberState } from '../transport/codec.ts'
import type { MemberFacts } from './trust.ts'

/**
 * Who is in the cluster, as far as this node knows: identity (id, name, addresses), the newest
 * incarnation the member stated itself, and its latest signed record, as the trust rules
 * (src/membership/trust.ts) admit them from the member's own heartbeats, announcements and
 * signed records relayed in anti-entropy digests. Liveness verdicts live elsewhere (peer actors, verdict reports); the table
 * keeps only `hearsay`, the state another node's digest claimed, used until first-hand or
 * reported evidence for the current incarnation exists.
 *
 * Bounded by membersMax: a member beyond it is refused and counted; dead and left members are
 * reaped after reapAfterMs.
 */
export interface Member extends MemberFacts {
  firstSeenMs: number
  /** Last time anything about this member changed or was confirmed. */
  updatedMs: number
}

export class MemberTable {
  private readonly members = new Map<string, Member>()
  private readonly selfId: string
  private readonly membersMax: number
  /**
   * A lower bound on every member's updatedMs: the oldest value the last reap scan saw. Valid
   * until the next scan because updatedMs only ever moves forward and new members start at now.
   */
  private updatedMsFloor = -Infinity
  /** Bumped by every change a digest would show (added, updated, removed). */
  version = 0
  refused = 0

  constructor(selfId: string, membersMax: number) {
    this.selfId = selfId
    this.membersMax = membersMax
  }

  get(id: string): Member | undefined {
    return this.members.get(id)
  }

  has(id: string): boolean {
    return this.members.has(id)
  }

  all(): IterableIterator<Member> {
    return this.members.values()
  }

  ids(): string[] {
    return [...this.members.keys()]
  }

  get size(): number {
    return this.members.size
  }

  /**
   * Stores a member's new facts, as decided by the trust rules (src/membership/trust.ts): adds it
   * (the caller checked hasRoom()) or replaces what was held.
   */
  apply(facts: MemberFacts, nowMs: number): void {
    if (facts.id === this.selfId) return
    const known = this.members.get(facts.id)
    this.version++
    if (known === undefined) this.members.set(facts.id, newMember(facts, nowMs))
    else Object.assign(known, facts, { updatedMs: nowMs })
  }

  /** Whether a new member fits under membersMax. */
  hasRoom(): boolean {
    return this.members.size < this.membersMax
  }

  /** Touches a member (e.g. on a heartbeat) so reaping does not take a live one. */
  touch(id: string, nowMs: number): void {
    const m = this.members.get(id)
    if (m !== undefined) m.updatedMs = nowMs
  }

  remove(id: string): boolean {
    const removed = this.members.delete(id)
    if (removed) this.version++
    return removed
  }

  /** Removes members for which `isGone(member)` holds and that have not changed for reapAfterMs. */
  reap(nowMs: number, reapAfterMs: number, isGone: (m: Member) => boolean): string[] {
    // Nobody is old enough yet: skip the scan (it ran once a second over every member).
    if (nowMs - this.updatedMsFloor < reapAfterMs) return []
    const reaped: string[] = []
    let floor = nowMs
    for (const m of this.members.values()) {
      if (nowMs - m.updatedMs >= reapAfterMs && isGone(m)) reaped.push(m.id)
      else floor = Math.min(floor, m.updatedMs)
    }
    this.updatedMsFloor = floor
    for (const id of reaped) this.members.delete(id)
    if (reaped.length > 0) this.version++
    return reaped
  }

  /** This node's knowledge as digest entries; `stateOf` supplies the current view state. */
  digest(stateOf: (m: Member) => MemberState): MemberDigestEntry[] {
    const out: MemberDigestEntry[] = []
    for (const m of this.members.values()) {
      const entry: MemberDigestEntry = { id: m.id, name: m.name, incarnation: m.incarnation, state: stateOf(m), addrs: m.addrs }
      if (m.proof !== undefined) entry.proof = m.proof
      out.push(entry)
    }
    return out
  }
}

/**
 * A member as one object literal with every field in place: a spread copy keeps its fields out
 * of line (a separate property array per member), which at one entry per (node, member) pair was
 * a measurable share of the simulator's memory.
 */
function newMember(f: MemberFacts, nowMs: number): Member {
  return { id: f.id, name: f.name, addrs: f.addrs, incarnation: f.incarnation, left: f.left, hearsay: f.hearsay, proof: f.proof, firstSeenMs: nowMs, updatedMs: nowMs }
}
