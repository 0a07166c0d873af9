import type { Member } from '../membership/member-table.ts'
import type { ForceLeaveMessage } from '../transport/codec.ts'
import type { LocalView } from '../view/local-view.ts'
import type { ForceLeaveSpread } from './force-leave-spread.ts'
import type { Membership } from './membership.ts'

/**
 * An operator's force-leave of a member (healthmon force-leave), as this node issues it; the
 * receiving side is in MessageRouter and the resending in force-leave-spread.ts.
 *
 * Cluster-wide (what the agent's API calls): only a member that is dead in this node's view (or
 * already left) is force-left; it is marked left here and a force-leave message goes to the
 * cluster, where each member takes it if the subject is dead in its own view too.
 *
 * Local only (kept for the embedding API): marks the member left here, alive or not, until it
 * comes back with a higher incarnation. Nothing is sent, so the other members keep their own view
 * of it.
 */
export interface OperatorForceLeaveDeps {
  membership: Pick<Membership, 'members' | 'forceLeave'>
  view: Pick<LocalView, 'stateOf' | 'refresh'>
  spread: Pick<ForceLeaveSpread, 'taken'>
  /** A force-leave message for the subject, under this node's next header. */
  message(subject: string, subjectIncarnation: number): ForceLeaveMessage
  publish(message: ForceLeaveMessage): void
  isRunning(): boolean
}

/**
 * What a cluster-wide force-leave did. `not-found`: no member by that id or name. `alive`: the
 * member is not dead in this node's view (alive or suspect): refused and nothing sent, since
 * every receiver would refuse it too (Serf's rule: force-leave removes failed members only).
 */
export type ForceLeaveResult = { ok: true; id: string; alreadyLeft: boolean } | { ok: false; reason: 'not-found' | 'alive' }

/** Left here, but not by its own signed leave (which digests relay by themselves): an operator's force-leave. */
export function isForceLeft(m: Member | undefined): boolean {
  return m !== undefined && m.left && m.proof?.left !== true
}

export class OperatorForceLeave {
  private readonly deps: OperatorForceLeaveDeps

  constructor(deps: OperatorForceLeaveDeps) {
    this.deps = deps
  }

  /** Marks the member left here only; false when it is unknown. */
  local(idOrName: string): boolean {
    const { membership, view } = this.deps
    const m = this.find(idOrName)
    if (m === undefined || !membership.forceLeave(m.id)) return false
    view.refresh(m.id, 'force-left by an operator')
    return true
  }

  /** Force-leaves a dead (or already left) member here and across the cluster. */
  cluster(idOrName: string): ForceLeaveResult {
    const { membership, view, spread } = this.deps
    const m = this.find(idOrName)
    if (m === undefined) return { ok: false, reason: 'not-found' }
    const alreadyLeft = m.left
    if (!alreadyLeft && view.stateOf(m.id) !== 'dead') return { ok: false, reason: 'alive' }
    if (!alreadyLeft) {
      membership.forceLeave(m.id)
      view.refresh(m.id, 'force-left by an operator')
    }
    const message = this.deps.message(m.id, m.incarnation)
    if (this.deps.isRunning()) this.deps.publish(message)
    if (isForceLeft(membership.members.get(m.id))) spread.taken(m.id)
    return { ok: true, id: m.id, alreadyLeft }
  }

  /** A member by id, else by name. */
  private find(idOrName: string): Member | undefined {
    const members = this.deps.membership.members
    return members.get(idOrName) ?? [...members.all()].find((x) => x.name === idOrName)
  }
}
