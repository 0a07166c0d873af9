import type { NodeStatus, VerdictState } from '../transport/codec.ts'

/**
 * The latest verdict each observer published about each subject (from the events topic). Only
 * the newest report per (subject, observer) is kept, ordered by the subject's incarnation first
 * and the observer's own (incarnation, seq) second, so reordered gossip cannot roll a verdict
 * back. Bounded: at most membersMax subjects and observersMax reports per subject.
 */
export interface Report {
  state: VerdictState
  subjectIncarnation: number
  subjectStatus: NodeStatus
  observerIncarnation: number
  observerSeq: number
  atMs: number
}

export class ReportStore {
  private readonly bySubject = new Map<string, Map<string, Report>>()
  private readonly subjectsMax: number
  private readonly observersMax: number
  dropped = 0

  constructor(subjectsMax: number, observersMax: number) {
    this.subjectsMax = subjectsMax
    this.observersMax = observersMax
  }

  /** Records a report; returns false when it is older than what is held, or over a bound. */
  record(subject: string, observer: string, report: Report): boolean {
    let reports = this.bySubject.get(subject)
    if (reports === undefined) {
      if (this.bySubject.size >= this.subjectsMax) {
        this.dropped++
        return false
      }
      reports = new Map()
      this.bySubject.set(subject, reports)
    }
    const held = reports.get(observer)
    if (held !== undefined && !isNewer(report, held)) return false
    if (held === undefined && reports.size >= this.observersMax) {
      this.dropped++
      return false
    }
    reports.set(observer, report)
    return true
  }

  of(subject: string): ReadonlyMap<string, Report> {
    return this.bySubject.get(subject) ?? EMPTY
  }

  forgetSubject(subject: string): void {
    this.bySubject.delete(subject)
  }

  /** Drops every report made by `observer` (it was reaped). */
  forgetObserver(observer: string): void {
    for (const reports of this.bySubject.values()) reports.delete(observer)
  }
}

const EMPTY: ReadonlyMap<string, Report> = new Map()

function isNewer(a: Report, b: Report): boolean {
  if (a.subjectIncarnation !== b.subjectIncarnation) return a.subjectIncarnation > b.subjectIncarnation
  if (a.observerIncarnation !== b.observerIncarnation) return a.observerIncarnation > b.observerIncarnation
  return a.observerSeq > b.observerSeq
}
