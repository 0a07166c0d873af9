import type { PeerEvent } from '../events.ts'
import type { ReportStore } from '../view/reports.ts'
import type { Observation } from './observation.ts'

/**
 * The suspicions this node holds, for the maintenance tick: which members its view shows
 * suspect (kept from the view's change events), which of those it knows only second-hand (their
 * suspect reports expire, so their view state is looked at again), and whether it suspects most
 * of its own subjects while no other observer agrees (then the trouble is most likely its own:
 * evidence for local health awareness).
 */
export class SuspectWatch {
  private readonly suspects = new Set<string>()
  private readonly observation: Observation
  private readonly reports: ReportStore

  constructor(deps: { observation: Observation; reports: ReportStore }) {
    this.observation = deps.observation
    this.reports = deps.reports
  }

  viewChanged(e: PeerEvent): void {
    if (e.to === 'suspect') this.suspects.add(e.peer)
    else this.suspects.delete(e.peer)
  }

  /** A reaped member. */
  forget(id: string): void {
    this.suspects.delete(id)
  }

  /** Suspects this node does not observe: its view of them rests on reports that expire. */
  secondHand(): string[] {
    return [...this.suspects].filter((id) => !this.observation.isObserving(id))
  }

  /**
   * Whether this node holds most of its (at least three) subjects suspect or dead while no other
   * observer reports any of those.
   */
  mostSubjectsAlone(): boolean {
    const subjects = this.observation.subjects()
    if (subjects.length < 3) return false
    let lonely = 0
    for (const s of subjects) {
      const st = this.observation.stateOf(s)
      if (st === undefined || (st.state !== 'suspect' && st.state !== 'dead')) continue
      let agreed = false
      for (const r of this.reports.of(s).values()) {
        if (r.subjectIncarnation >= st.incarnation && r.state !== 'alive') agreed = true
      }
      if (!agreed) lonely++
    }
    return lonely * 2 > subjects.length
  }
}
