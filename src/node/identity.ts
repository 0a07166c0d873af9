import { INCARNATION_MAX, type HealthSummary } from '../transport/codec.ts'

/**
 * This node's own identity on the wire: its incarnation (raised on every start and on every
 * refutation, SWIM §4.2) and the sequence counter that every message it sends carries, strictly
 * increasing within an incarnation so receivers can drop replays.
 */
export class Identity {
  readonly id: string
  readonly name: string
  readonly cluster: string
  private incarnationValue: number
  private seqValue = 0
  private readonly persist: (incarnation: number) => void

  constructor(options: { id: string; name: string; cluster: string; incarnation: number; persist?: (incarnation: number) => void }) {
    this.id = options.id
    this.name = options.name
    this.cluster = options.cluster
    this.incarnationValue = Math.min(options.incarnation, INCARNATION_MAX)
    this.persist = options.persist ?? (() => {})
  }

  get incarnation(): number {
    return this.incarnationValue
  }

  /** The header for the next message. */
  nextHeader(): { cluster: string; sender: string; incarnation: number; seq: number } {
    return { cluster: this.cluster, sender: this.id, incarnation: this.incarnationValue, seq: this.seqValue++ }
  }

  /**
   * Someone believes this node is suspect, dead or left at `claimedIncarnation`: move past it so
   * the claim is superseded everywhere. Returns true when the incarnation was raised.
   */
  refute(claimedIncarnation: number): boolean {
    // Past INCARNATION_MAX every peer would reject this node's messages: never go there.
    if (claimedIncarnation < this.incarnationValue || claimedIncarnation + 1 > INCARNATION_MAX) return false
    this.incarnationValue = claimedIncarnation + 1
    this.seqValue = 0
    this.persist(this.incarnationValue)
    return true
  }
}

export const HEALTHY: HealthSummary = { status: 'healthy', checksFailing: 0 }
