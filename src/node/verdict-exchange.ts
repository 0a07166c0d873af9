import type { PeerEvent } from '../events.ts'
import type { HealthSummary, VerdictMessage } from '../transport/codec.ts'
import type { ReportStore } from '../view/reports.ts'
import type { Observation } from './observation.ts'

/**
 * Verdicts between observers, both ways. Out: an observer publishes what its view shows of a
 * subject it observes (not its detector's every flip), so a subject its view holds suspect for
 * flapping (view/flap-damping.ts) is suspect for the non-observers too, instead of flipping
 * their aggregate with each raw recovery. In: a verdict the trust rules admit is recorded as a
 * report; a non-observer's view of the subject is recomputed from it, and for an observer it is
 * a confirmation that shortens its own suspicion (Lifeguard), handed to the subject's actor.
 */
export interface VerdictExchangeDeps {
  selfId: string
  reports: ReportStore
  observation: Observation
  /** The trust rules' word on a verdict (Membership.onVerdict): whether it may be recorded. */
  admit(m: VerdictMessage): boolean
  /** Recomputes a member's view state (RingUpkeep.refreshMember, without a membership change). */
  refreshView(subject: string): void
  publish(subject: string, subjectIncarnation: number, state: 'alive' | 'suspect' | 'dead', health: HealthSummary | undefined): void
}

export class VerdictExchange {
  private readonly deps: VerdictExchangeDeps

  constructor(deps: VerdictExchangeDeps) {
    this.deps = deps
  }

  /** A change of this node's view: published when this node observes the subject. */
  viewChanged(e: PeerEvent): void {
    if (!e.observedBySelf || e.from === 'missing' || (e.to !== 'alive' && e.to !== 'suspect' && e.to !== 'dead')) return
    const st = this.deps.observation.stateOf(e.peer)
    if (st !== undefined) this.deps.publish(e.peer, st.incarnation, e.to, st.health)
  }

  received(m: VerdictMessage, nowMs: number): void {
    const { reports, observation } = this.deps
    if (!this.deps.admit(m)) return
    const recorded = reports.record(m.subject, m.sender, {
      state: m.state, subjectIncarnation: m.subjectIncarnation, subjectStatus: m.subjectStatus,
      observerIncarnation: m.incarnation, observerSeq: m.seq, atMs: nowMs
    })
    if (recorded && !observation.isObserving(m.subject)) this.deps.refreshView(m.subject)
    // Another observer's suspicion confirms ours and shortens our suspicion (Lifeguard).
    if (recorded && m.state !== 'alive' && observation.isObserving(m.subject)) {
      const expected = observation.observersOf(m.subject).filter((o) => o !== this.deps.selfId).length
      observation.send(m.subject, { type: 'confirm', observer: m.sender, incarnation: m.subjectIncarnation, expected })
    }
  }
}
