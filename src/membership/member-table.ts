import type { MemberDigestEntry, MemberState } from '../transport/codec.ts'

/**
 * Who is in the cluster, as far as this node knows: identity (id, name, addresses) and the
 * newest incarnation seen, learned from join/leave announcements, heartbeats, verdicts and
 * anti-entropy digests. Liveness verdicts live elsewhere (peer actors, verdict reports); the table
 * keeps only `hearsay`, the state another node's digest claimed, used until first-hand or
 * reported evidence for the current incarnation exists.
 *
 * Bounded by membersMax: a member beyond it is refused and counted; dead and left members are
 * reaped after reapAfterMs.
 */
export interface Member {
  id: string
  name: string
  addrs: string[]
  incarnation: number
  /** Announced a graceful leave at `incarnation`. */
  left: boolean
  /** State claimed by a digest for `incarnation`, before any better evidence. */
  hearsay: MemberState
  firstSeenMs: number
  /** Last time anything about this member changed or was confirmed. */
  updatedMs: number
}

export type MemberChange = 'added' | 'updated' | 'unchanged' | 'refused'

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
   * Learns of a member or newer facts about it. A higher incarnation replaces name, addresses,
   * the left flag and hearsay; the same incarnation only fills in missing facts.
   */
  upsert(fact: { id: string; name?: string; addrs?: string[]; incarnation: number; left?: boolean; hearsay?: MemberState }, nowMs: number): MemberChange {
    if (fact.id === this.selfId) return 'unchanged'
    const known = this.members.get(fact.id)
    if (known === undefined) {
      if (this.members.size >= this.membersMax) {
        this.refused++
        return 'refused'
      }
      this.version++
      this.members.set(fact.id, {
        id: fact.id,
        name: fact.name ?? fact.id,
        addrs: fact.addrs ?? [],
        incarnation: fact.incarnation,
        left: fact.left ?? false,
        hearsay: fact.left === true ? 'left' : (fact.hearsay ?? 'alive'),
        firstSeenMs: nowMs,
        updatedMs: nowMs
      })
      return 'added'
    }
    let changed = false
    if (fact.incarnation > known.incarnation) {
      known.incarnation = fact.incarnation
      known.left = fact.left ?? false
      known.hearsay = known.left ? 'left' : (fact.hearsay ?? 'alive')
      if (fact.name !== undefined) known.name = fact.name
      if (fact.addrs !== undefined && fact.addrs.length > 0) known.addrs = fact.addrs
      changed = true
    } else if (fact.incarnation === known.incarnation) {
      if (fact.left === true && !known.left) {
        known.left = true
        known.hearsay = 'left'
        changed = true
      }
      if (fact.name !== undefined && known.name === known.id && fact.name !== known.name) {
        known.name = fact.name
        changed = true
      }
      if (fact.addrs !== undefined && fact.addrs.length > 0 && known.addrs.length === 0) {
        known.addrs = fact.addrs
        changed = true
      }
    }
    if (changed) {
      known.updatedMs = nowMs
      this.version++
    }
    return changed ? 'updated' : 'unchanged'
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
      out.push({ id: m.id, name: m.name, incarnation: m.incarnation, state: stateOf(m), addrs: m.addrs })
    }
    return out
  }
}
