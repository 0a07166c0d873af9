import { decodeMessage, type DecodeFailure, type DecodeResult, type WireMessage } from './codec.ts'
import { ReplayWindow } from './replay-window.ts'
import { rateClassOf, RATE_CLASSES, type RateBudget, type RateClass } from './receive-budgets.ts'
import { SenderRateLimit } from './sender-rate-limit.ts'
import type { SharedValues } from './shared-values.ts'
import { eventsTopic, heartbeatTopicPrefix, isHeartbeatTopicOf } from './topics.ts'
import type { TransportMessage, ValidationResult } from './types.ts'

/**
 * The gate every gossip message passes before it is delivered or forwarded (installed as the
 * gossipsub topic validator). Checks, in order: size, decoding, schema, cluster name, that the
 * claimed sender is the signed `from`, that the type belongs on the topic, and that the sequence
 * number is not replayed. Nothing here throws: each drop is counted by reason.
 *
 * Forged or malformed messages are `reject`ed (gossipsub then penalises whoever forwarded them,
 * see gossip-score.ts); replays, messages from an older incarnation, over a sender's receive
 * budget (receive-budgets.ts) or of a newer version are `ignore`d, since an honest peer may
 * forward those without fault.
 */
export type DropReason =
  | DecodeFailure
  | 'cluster'
  | 'sender-mismatch'
  | 'wrong-topic'
  | 'replay'
  | 'stale-incarnation'
  | 'rate-limited'

export const DROP_REASONS: readonly DropReason[] = [
  'too-large', 'malformed', 'version', 'unknown-type', 'schema',
  'cluster', 'sender-mismatch', 'wrong-topic', 'replay', 'stale-incarnation', 'rate-limited'
]

/**
 * Ignored rather than rejected: an honest peer may forward these without fault. Replays, stale
 * incarnations and rate limits depend on this node's own state; a future wire version or an
 * appended message type is what a newer agent sends in a rolling upgrade, which it and its
 * peers of its version accept and forward. A reject costs the forwarder gossipsub score
 * (gossip-score.ts), so only what every honest node rejects is rejected.
 */
const IGNORED: ReadonlySet<DropReason> = new Set(['replay', 'stale-incarnation', 'rate-limited', 'version', 'unknown-type'])

/** Decoded messages kept for delivery (see MessageValidator.decoded): more than gossipsub validates ahead of delivering. */
const DECODED_KEPT = 256

export interface MessageValidatorOptions {
  cluster: string
  messageBytesMax: number
  /** Bound on tracked senders (anti-replay state); use a multiple of membersMax. */
  sendersMax: number
  /**
   * Per-sender budgets by class of message (token buckets on the injected clock, sized by
   * receiveBudgets() in receive-budgets.ts). A class left out has no limit (unit tests of the
   * other checks).
   */
  rateLimits?: { now: () => number } & Partial<Record<RateClass, RateBudget>>
  /** Where messages are decoded once for, and their values shared with, the process's other nodes (the simulator; Transport.sharedValues). */
  sharedValues?: SharedValues
}

export class MessageValidator {
  readonly dropped: Record<DropReason, number>
  accepted = 0
  private readonly options: MessageValidatorOptions
  private readonly events: string
  private readonly heartbeatPrefix: string
  private readonly hbReplay: ReplayWindow
  private readonly eventReplay: ReplayWindow
  private readonly limits: Partial<Record<RateClass, SenderRateLimit>> = {}
  /** The `rate-limited` drops split by class of message (their sum is dropped['rate-limited']). */
  readonly rateLimited: Record<RateClass, number>
  /**
   * The last DECODED_KEPT decoded messages by their buffer, so the delivery path (which follows
   * validation closely) does not decode twice. A plain Map with first-in-first-out eviction: a
   * WeakMap did the same, but its ephemeron entries made the garbage collector the simulator's
   * largest cost (a million deliveries a boot at 1,000 nodes).
   */
  private readonly decoded = new Map<Uint8Array, WireMessage>()

  constructor(options: MessageValidatorOptions) {
    this.options = options
    this.events = eventsTopic(options.cluster)
    this.heartbeatPrefix = heartbeatTopicPrefix(options.cluster)
    this.hbReplay = new ReplayWindow(options.sendersMax)
    this.eventReplay = new ReplayWindow(options.sendersMax)
    const limits = options.rateLimits
    for (const c of RATE_CLASSES) {
      const budget = limits?.[c]
      if (limits !== undefined && budget !== undefined) this.limits[c] = new SenderRateLimit({ ...budget, now: limits.now, sendersMax: options.sendersMax })
    }
    this.rateLimited = Object.fromEntries(RATE_CLASSES.map((c) => [c, 0])) as Record<RateClass, number>
    this.dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>
  }

  /** The gossipsub-facing check. */
  validate = (msg: TransportMessage): ValidationResult => {
    const outcome = this.check(msg)
    if (typeof outcome === 'string') {
      this.dropped[outcome]++
      return IGNORED.has(outcome) ? 'ignore' : 'reject'
    }
    this.accepted++
    if (this.decoded.size >= DECODED_KEPT) this.decoded.delete(this.decoded.keys().next().value!)
    this.decoded.set(msg.data, outcome)
    return 'accept'
  }

  /** Senders with a budget held, over all classes (each class holds at most sendersMax). */
  get rateLimitedSenders(): number {
    return RATE_CLASSES.reduce((n, c) => n + (this.limits[c]?.size ?? 0), 0)
  }

  /** The decoded form of a message that passed validate(); decodes again if it was evicted. */
  messageOf(msg: TransportMessage): WireMessage | undefined {
    const cached = this.decoded.get(msg.data)
    if (cached !== undefined) {
      this.decoded.delete(msg.data) // delivered once: the map stays as small as the backlog
      return cached
    }
    const result = this.decode(msg.data)
    return result.ok ? result.message : undefined
  }

  /** Decoded here, or once for every node of the process that receives the same bytes (shared-values.ts). */
  private decode(data: Uint8Array): DecodeResult {
    const shared = this.options.sharedValues
    return shared !== undefined ? shared.decode(data, this.options.messageBytesMax) : decodeMessage(data, this.options.messageBytesMax)
  }

  private check(msg: TransportMessage): WireMessage | DropReason {
    const result = this.decode(msg.data)
    if (!result.ok) return result.reason
    const m = result.message
    if (m.cluster !== this.options.cluster) return 'cluster'
    if (m.sender !== msg.from) return 'sender-mismatch'
    if (m.type === 'heartbeat') {
      if (!isHeartbeatTopicOf(msg.topic, this.heartbeatPrefix, m.sender)) return 'wrong-topic'
    } else if (msg.topic !== this.events || m.type === 'digest' || m.type === 'signed-digest' || m.type === 'checksum') {
      return 'wrong-topic'
    }
    const window = m.type === 'heartbeat' ? this.hbReplay : this.eventReplay
    const verdict = window.check(m.sender, m.incarnation, m.seq)
    if (verdict !== 'new') return verdict
    // Last, so that a replay or a forgery costs the sender's budget nothing.
    const c = rateClassOf(m.type)
    if (c !== undefined && this.limits[c]?.take(m.sender) === false) {
      this.rateLimited[c]++
      return 'rate-limited'
    }
    return m
  }
}
