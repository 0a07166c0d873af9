import type { PeerState } from '../domain/index.ts'
import type { Member, MemberTable } from '../membership/member-table.ts'
import type { Clock, Timer } from '../runtime/clock.ts'
import { heartbeatTopic } from '../transport/topics.ts'
import type { Transport } from '../transport/types.ts'
import type { Observation } from './observation.ts'

/**
 * Keeps the observer rings (Rapid's k rings, via Observation) in step with who is live: a
 * member is live unless it left or this node's view holds it dead. A rebuild recomputes the
 * rings, moves the heartbeat subscriptions to the new subjects, refreshes every member's view
 * state (observers changed) and reconnects the neighbours. Rebuilds are debounced, so a burst of
 * joins or deaths reshapes the rings once.
 */
export interface RingUpkeepDeps {
  clock: Clock
  transport: Pick<Transport, 'subscribe' | 'unsubscribe'>
  selfId: string
  cluster: string
  members: MemberTable
  observation: Observation
  /** The debounce: at most 100 ms, a quarter of the heartbeat interval when that is shorter. */
  debounceMs: number
  isRunning(): boolean
  /** This node's view of a member (LocalView.stateOf). */
  stateOf(id: string): PeerState | undefined
  /** Recomputes one member's view state (LocalView.refresh). */
  refreshView(id: string): void
  connectNeighbours(): void
  /** Told of each rebuild (ClusterNode counts them in stats.ringRebuilds). */
  onRebuild(): void
}

export class RingUpkeep {
  private readonly deps: RingUpkeepDeps
  private timer: Timer | undefined

  constructor(deps: RingUpkeepDeps) {
    this.deps = deps
  }

  isLive(m: Member): boolean {
    return !m.left && this.deps.stateOf(m.id) !== 'dead'
  }

  /**
   * Recomputes a member's view state. The rings depend only on who is live (not left, not dead),
   * so they are rebuilt when the member is new or left, or its state moved into or out of dead;
   * an incarnation bump alone (a refutation) does not reshape them.
   */
  refreshMember(id: string, membershipChanged: boolean): void {
    const before = this.deps.stateOf(id)
    this.deps.refreshView(id)
    const after = this.deps.stateOf(id)
    if (membershipChanged || (before !== after && (before === 'dead' || after === 'dead'))) this.schedule()
  }

  /** Rebuilds after the debounce, once however often it is asked meanwhile; nothing when stopped. */
  schedule(): void {
    if (this.timer !== undefined || !this.deps.isRunning()) return
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined
      this.rebuildNow()
    }, this.deps.debounceMs)
  }

  stop(): void {
    this.timer?.cancel()
    this.timer = undefined
  }

  rebuildNow(): void {
    const { selfId, members, observation, transport, cluster } = this.deps
    this.deps.onRebuild()
    const live = [selfId]
    const all = [selfId]
    for (const m of members.all()) {
      if (m.left) continue
      all.push(m.id)
      if (this.isLive(m)) live.push(m.id)
    }
    const change = observation.rebuild(live, all, (id) => {
      const m = members.get(id)
      return { incarnation: m?.incarnation ?? 0, state: this.deps.stateOf(id) === 'dead' ? 'dead' : 'alive' }
    })
    for (const id of change.stopped) transport.unsubscribe(heartbeatTopic(cluster, id))
    for (const id of change.started) transport.subscribe(heartbeatTopic(cluster, id), { relay: false })
    for (const m of members.all()) this.deps.refreshView(m.id)
    this.deps.connectNeighbours()
  }
}
