import type { LocalView } from '../view/local-view.ts'
import type { ReportStore } from '../view/reports.ts'
import type { Connections } from './connections.ts'
import type { Membership } from './membership.ts'
import type { RingUpkeep } from './ring-upkeep.ts'
import type { SelfAwareness } from './self-awareness.ts'
import type { SuspectWatch } from './suspect-watch.ts'

/**
 * The node's periodic upkeep (every heartbeat interval, 500 ms at the least): what no message
 * triggers but time does. Neighbour connections and reconnects to dead members, second-hand
 * suspicions looked at again as their reports expire, flap-damped members released, lonely
 * suspicions given to awareness, refutations put off by their rate limit, and members gone for
 * the reap time forgotten everywhere they are held.
 */
export interface MaintenanceDeps {
  connections: Connections
  suspectWatch: SuspectWatch
  rings: RingUpkeep
  view: LocalView
  awareness: SelfAwareness
  membership: Membership
  reports: ReportStore
}

export class Maintenance {
  private readonly deps: MaintenanceDeps

  constructor(deps: MaintenanceDeps) {
    this.deps = deps
  }

  tick(): void {
    const { connections, suspectWatch, rings, view, awareness, membership, reports } = this.deps
    connections.connectNeighbours()
    connections.reconnectDead()
    // Suspect reports expire (view/aggregate.ts): look again at second-hand suspects.
    for (const id of suspectWatch.secondHand()) rings.refreshMember(id, false)
    // Flap-damped members steady for the hold-down time are shown alive again.
    view.releaseDue()
    if (suspectWatch.mostSubjectsAlone()) awareness.lonelySuspicions()
    membership.tick()
    const reaped = membership.reap((m) => m.left || view.stateOf(m.id) === 'dead')
    for (const id of reaped) {
      view.remove(id)
      suspectWatch.forget(id)
      reports.forgetSubject(id)
      reports.forgetObserver(id)
    }
    if (reaped.length > 0) rings.schedule()
  }
}
