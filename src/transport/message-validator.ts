import { decodeMessage, type DecodeFailure, type WireMessage } from './codec.ts'
import { ReplayWindow } from './replay-window.ts'
import { SenderRateLimit } from './sender-rate-limit.ts'
import { eventsTopic, heartbeatTopicOwner } from './topics.ts'
import type { TransportMessage, ValidationResult } from './types.ts'

/**
 * The gate every gossip message passes before it is delivered or forwarded (installed as the
 * gossipsub topic validator). Checks, in order: size, decoding, schema, cluster name, that the
 * claimed sender is the signed `from`, that the type belongs on the topic, and that the sequence
 * number is not replayed. Nothing here throws: each drop is counted by reason.
 *
 * Forged or malformed messages are `reject`ed (gossipsub then penalises whoever forwarded them);
 * replays and messages from an older incarnation are `ignore`d, since an honest peer may forward
 * those without fault.
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

/** Ignored rather than rejected: an honest peer may forward these without fault. */
const IGNORED: ReadonlySet<DropReason> = new Set(['replay', 'stale-incarnation', 'rate-limited'])

export interface MessageValidatorOptions {
  cluster: string
  messageBytesMax: number
  /** Bound on tracked senders (anti-replay state); use a multiple of membersMax. */
  sendersMax: number
  /**
   * Per-sender budget for alerting and force-leave messages (a token bucket on the injected
   * clock). Absent: no limit (unit tests of the other checks).
   */
  alertingRateLimit?: { perSecond: number; burst: number; now: () => number }
}

export class MessageValidator {
  readonly dropped: Record<DropReason, number>
  accepted = 0
  private readonly options: MessageValidatorOptions
  private readonly events: string
  private readonly hbReplay: ReplayWindow
  private readonly eventReplay: ReplayWindow
  private readonly alertingLimit: SenderRateLimit | undefined
  /** Decoded messages by their buffer, so the delivery path does not decode twice. */
  private readonly decoded = new WeakMap<Uint8Array, WireMessage>()

  constructor(options: MessageValidatorOptions) {
    this.options = options
    this.events = eventsTopic(options.cluster)
    this.hbReplay = new ReplayWindow(options.sendersMax)
    this.eventReplay = new ReplayWindow(options.sendersMax)
    const limit = options.alertingRateLimit
    this.alertingLimit = limit === undefined ? undefined : new SenderRateLimit({ ...limit, sendersMax: options.sendersMax })
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
    this.decoded.set(msg.data, outcome)
    return 'accept'
  }

  /** The decoded form of a message that passed validate(); decodes again if it was evicted. */
  messageOf(msg: TransportMessage): WireMessage | undefined {
    const cached = this.decoded.get(msg.data)
    if (cached !== undefined) return cached
    const result = decodeMessage(msg.data, this.options.messageBytesMax)
    return result.ok ? result.message : undefined
  }

  private check(msg: TransportMessage): WireMessage | DropReason {
    const result = decodeMessage(msg.data, this.options.messageBytesMax)
    if (!result.ok) return result.reason
    const m = result.message
    if (m.cluster !== this.options.cluster) return 'cluster'
    if (m.sender !== msg.from) return 'sender-mismatch'
    const owner = heartbeatTopicOwner(this.options.cluster, msg.topic)
    if (m.type === 'heartbeat') {
      if (owner !== m.sender) return 'wrong-topic'
    } else if (msg.topic !== this.events || m.type === 'digest' || m.type === 'signed-digest' || m.type === 'checksum') {
      return 'wrong-topic'
    }
    const window = m.type === 'heartbeat' ? this.hbReplay : this.eventReplay
    const verdict = window.check(m.sender, m.incarnation, m.seq)
    if (verdict !== 'new') return verdict
    if ((m.type === 'alerting' || m.type === 'force-leave') && this.alertingLimit?.take(m.sender) === false) return 'rate-limited'
    return m
  }
}
