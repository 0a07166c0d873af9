import type { AlertSubject } from './instance.ts'

/**
 * Who notifies, so that a cluster of N agents that all see the same dead peer tells a person
 * once, without a coordinator. Every agent computes the same observer list for a subject from
 * its member list (the Rapid rings of src/membership/rings.ts, `observersOf(subject)`, in ring
 * order), so they agree on the order of responsibility:
 *
 * - an alert about this node's own resources, checks or facts: this node notifies (if it is
 *   dead, its peers' PeerDead alert covers it);
 * - an alert about a peer: the first live observer in ring order notifies at once; the one at
 *   position p (among live observers) notifies only if, p handover delays after the alert became
 *   due, nobody has marked it notified (the earlier ones are dead, partitioned, or their receiver
 *   failed). Marks (`notifiedBy`) travel with the cluster's events.
 * - a node that does not observe the subject never notifies about it.
 */
export interface NotifiedMark {
  fingerprint: string
  status: 'firing' | 'resolved'
  /** The agent that sent the notification. */
  by: string
  atMs: number
}

export interface WhoNotifiesInput {
  self: string
  subject: AlertSubject
  /** The subject's observers in ring order (observersOf(subject.id)). */
  observers: readonly string[]
  isLive(id: string): boolean
  /** Marks other agents made for this alert and status. */
  marks: readonly NotifiedMark[]
  /** When the notification became due (the alert fired or resolved, plus the group wait). */
  dueSinceMs: number
  /**
   * Marks at or after this count for this episode (default dueSinceMs). Observers see an
   * incident at times a few seconds apart, so the first may have told before this agent's own
   * episode even began: the pipeline passes the episode's start less one handover delay.
   */
  markSinceMs?: number
  nowMs: number
  handoverDelayMs: number
}

export type WhoNotifiesDecision =
  | { notify: true; position: number }
  | { notify: false; reason: 'not-an-observer' | 'notified-by-other' | 'waiting-for-handover'; retryAtMs?: number; by?: string }

export function whoNotifies(input: WhoNotifiesInput): WhoNotifiesDecision {
  if (input.subject.kind === 'self') return { notify: true, position: 0 }
  const subjectId = input.subject.id
  const live = input.observers.filter((id) => id !== subjectId && (id === input.self || input.isLive(id)))
  const position = live.indexOf(input.self)
  if (position === -1) return { notify: false, reason: 'not-an-observer' }
  const since = input.markSinceMs ?? input.dueSinceMs
  const mark = input.marks.find((m) => m.by !== input.self && m.atMs >= since)
  if (mark !== undefined) return { notify: false, reason: 'notified-by-other', by: mark.by }
  if (position === 0) return { notify: true, position }
  const atMs = input.dueSinceMs + position * input.handoverDelayMs
  if (input.nowMs >= atMs) return { notify: true, position }
  return { notify: false, reason: 'waiting-for-handover', retryAtMs: atMs }
}
