import type { NotifiedMark } from './who-notifies.ts'

/**
 * The notifiedBy marks this agent knows (its own and those gossiped by others), per alert
 * fingerprint: who-notifies reads them to stay quiet about what another observer already told,
 * and the view shows them. Bounded: the newest MARKS_PER_ALERT_MAX per alert (one mark per
 * sender and status), at most ALERTS_MAX alerts (the oldest-touched go first), and marks of
 * alerts this agent no longer holds are forgotten after RETENTION_MS.
 */
export const MARKS_PER_ALERT_MAX = 8
export const ALERTS_MAX = 20_000
export const RETENTION_MS = 3_600_000

const NONE: readonly NotifiedMark[] = Object.freeze([])

export class MarkBook {
  private readonly byFingerprint = new Map<string, NotifiedMark[]>()
  dropped = 0

  of(fingerprint: string): readonly NotifiedMark[] {
    return this.byFingerprint.get(fingerprint) ?? NONE
  }

  get size(): number {
    return this.byFingerprint.size
  }

  add(mark: NotifiedMark): void {
    if (!Number.isFinite(mark.atMs)) return
    let list = this.byFingerprint.get(mark.fingerprint)
    if (list === undefined) {
      if (this.byFingerprint.size >= ALERTS_MAX) {
        const oldest = this.byFingerprint.keys().next().value
        if (oldest !== undefined) this.byFingerprint.delete(oldest)
        this.dropped++
      }
      list = []
    } else this.byFingerprint.delete(mark.fingerprint) // re-inserted below: Map order = last touched
    const same = list.findIndex((m) => m.by === mark.by && m.status === mark.status)
    if (same !== -1) {
      if (list[same]!.atMs >= mark.atMs) { this.byFingerprint.set(mark.fingerprint, list); return }
      list.splice(same, 1)
    }
    list.push({ fingerprint: mark.fingerprint, status: mark.status, by: mark.by, atMs: mark.atMs })
    list.sort((a, b) => a.atMs - b.atMs)
    while (list.length > MARKS_PER_ALERT_MAX) list.shift()
    this.byFingerprint.set(mark.fingerprint, list)
  }

  /** Forgets marks of alerts not held (`held` false) whose newest mark is older than RETENTION_MS. */
  prune(nowMs: number, held: (fingerprint: string) => boolean): void {
    for (const [fp, list] of this.byFingerprint) {
      if (held(fp)) continue
      if (nowMs - list[list.length - 1]!.atMs > RETENTION_MS) this.byFingerprint.delete(fp)
    }
  }
}
