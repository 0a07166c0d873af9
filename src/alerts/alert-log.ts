import type { AlertEntry, PeerState, Severity } from '../domain/index.ts'

/**
 * The local alert log of peer state changes, each with a severity (a dead peer is critical, a
 * suspect one a warning, a recovery, join or leave informational). Bounded: the oldest entries
 * are dropped past alertLogMax and counted. Full alerting (rules, damping, silences, notifiers,
 * persistence) builds on this later.
 */
export function severityOf(to: PeerState): Severity {
  switch (to) {
    case 'dead': return 'critical'
    case 'suspect':
    case 'missing': return 'warning'
    default: return 'info'
  }
}

export class AlertLog {
  private readonly entries: AlertEntry[] = []
  private nextId = 1
  private readonly max: number
  dropped = 0

  constructor(max: number) {
    this.max = max
  }

  add(entry: Omit<AlertEntry, 'id' | 'severity'>): AlertEntry {
    const full: AlertEntry = { id: this.nextId++, severity: severityOf(entry.to), ...entry }
    this.entries.push(full)
    if (this.entries.length > this.max) {
      const excess = this.entries.length - this.max
      this.entries.splice(0, excess)
      this.dropped += excess
    }
    return full
  }

  /** Newest last. */
  list(): AlertEntry[] {
    return [...this.entries]
  }

  get size(): number {
    return this.entries.length
  }
}
