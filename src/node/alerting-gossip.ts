import type { NotifiedMark } from '../alerts/who-notifies.ts'
import { validateSilence, type Silence } from '../alerts/silences.ts'
import type { Clock, Timer } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'
import type { Random } from '../runtime/random.ts'
import { encodeMessage, WIRE_LIMITS, type AlertingMessage } from '../transport/codec.ts'
import { decodeMark, decodeSilence, encodeMark, encodeSilence, type WireMark } from '../transport/alerting-wire.ts'

/**
 * The node's half of cluster-wide alerting (issue 8): it carries the alerting runtime's
 * notification marks and silences to the other members on the events topic and hands theirs to
 * the runtime. The runtime decides what they mean (who notifies, last writer wins); this module
 * only moves them, bounded:
 *
 * - Outgoing updates are coalesced (marks by fingerprint and status, silences by id: the latest
 *   wins) in a bounded queue and sent in messages of at most WIRE_LIMITS.alertingMarksMax marks,
 *   alertingSilencesMax silences and messageBytesMax bytes, at most SEND_BURST messages per
 *   flush and a flush every SEND_INTERVAL_MS: under the receivers' per-sender rate limit, so an
 *   honest burst is paced rather than dropped.
 * - Incoming updates (already past the gossip validator and the trust rules: a live member's
 *   signed message) have each silence checked by the alerts core's validateSilence; an invalid one
 *   is dropped and counted, the rest are kept. Marks are attributed to the authenticated sender.
 *   Listeners run on a microtask, outside any peer actor and any transport callback; a listener
 *   that throws is caught, counted and logged, and the others still run.
 * - Anti-entropy for silences: with a snapshot provider set, its silences are sent again every
 *   RESYNC_INTERVAL_MS (± a quarter, from the injected Random) and soon after a member joins, at
 *   most RESYNC_SILENCES_MAX per round (rotating through the list), so a node that joins later
 *   learns the cluster's silences. Without a provider nothing is scheduled: the simulator's runs
 *   (which never set one) are unchanged.
 */
export interface AlertingUpdate {
  from: string
  marks: NotifiedMark[]
  silences: Silence[]
}

export type AlertingListener = (update: AlertingUpdate) => void
export type AlertingSnapshot = () => { silences: readonly Silence[] }

/** Entries this node dropped, by reason (exported on /metrics). */
export type AlertingDropReason = 'silence-invalid' | 'silence-too-large' | 'send-queue-full' | 'not-own-mark' | 'outgoing-invalid'
export const ALERTING_DROP_REASONS: readonly AlertingDropReason[] = ['silence-invalid', 'silence-too-large', 'send-queue-full', 'not-own-mark', 'outgoing-invalid']

const SEND_BURST = 4
const SEND_INTERVAL_MS = 500
const QUEUE_MARKS_MAX = 16_384
const QUEUE_SILENCES_MAX = 1024
const RESYNC_INTERVAL_MS = 60_000
const RESYNC_SILENCES_MAX = 128
/** A member joined: resend silences after 1-3 s (it has subscribed to the events topic by then). */
const JOIN_RESYNC_DELAY_MS_MIN = 1000
const JOIN_RESYNC_DELAY_MS_SPAN = 2000

export interface AlertingGossipDeps {
  selfId: string
  clock: Clock
  random: Random
  logger: Logger
  messageBytesMax: number
  /** The header for the next message this node sends (sender, incarnation, seq). */
  header(): Pick<AlertingMessage, 'cluster' | 'sender' | 'incarnation' | 'seq'>
  /** Publishes an encoded message on the events topic. */
  publish(bytes: Uint8Array): void
  isRunning(): boolean
}

export class AlertingGossip {
  readonly dropped: Record<AlertingDropReason, number>
  readonly stats = { messagesSent: 0, marksSent: 0, silencesSent: 0, updatesReceived: 0, listenerErrors: 0, resyncRounds: 0, snapshotErrors: 0 }
  private readonly deps: AlertingGossipDeps
  private readonly listeners = new Set<AlertingListener>()
  private readonly marks = new Map<string, WireMark>()
  private readonly silences = new Map<string, Silence>()
  private flushTimer: Timer | undefined
  private resyncTimer: Timer | undefined
  private resyncSoon = false
  private snapshot: AlertingSnapshot | undefined
  private resyncOffset = 0

  constructor(deps: AlertingGossipDeps) {
    this.deps = deps
    this.dropped = Object.fromEntries(ALERTING_DROP_REASONS.map((r) => [r, 0])) as Record<AlertingDropReason, number>
  }

  // ---- sending -------------------------------------------------------------------------------

  /**
   * Queues marks (this node's own: `by` is this node) and silences for the cluster. What would
   * not pass a receiver's checks (a malformed mark, a silence validateSilence refuses) is dropped
   * here and counted (`outgoing-invalid`), so a caller's bug cannot break the send path.
   */
  publish(update: { marks?: readonly NotifiedMark[]; silences?: readonly Silence[] }): void {
    for (const m of update.marks ?? []) {
      if (m.by !== this.deps.selfId) {
        // Marks are authored by their message's sender: relaying another's would be a forgery.
        this.dropped['not-own-mark']++
        continue
      }
      if (decodeMark(encodeMark(m)) === undefined) { this.dropped['outgoing-invalid']++; continue }
      const key = `${m.fingerprint}\n${m.status}`
      const held = this.marks.get(key)
      if (held === undefined && this.marks.size >= QUEUE_MARKS_MAX) { this.dropped['send-queue-full']++; continue }
      if (held === undefined || m.atMs > held.atMs) this.marks.set(key, { fingerprint: m.fingerprint, status: m.status, atMs: m.atMs })
    }
    for (const s of update.silences ?? []) this.queueSilence(s)
    this.scheduleFlush(0)
  }

  private queueSilence(s: Silence): void {
    if (!sendable(s)) { this.dropped['outgoing-invalid']++; return }
    const held = this.silences.get(s.id)
    if (held === undefined && this.silences.size >= QUEUE_SILENCES_MAX) { this.dropped['send-queue-full']++; return }
    if (held === undefined || s.updatedAtMs >= held.updatedAtMs) this.silences.set(s.id, structuredClone(s))
  }

  private scheduleFlush(delayMs: number): void {
    if (this.flushTimer !== undefined || (this.marks.size === 0 && this.silences.size === 0)) return
    this.flushTimer = this.deps.clock.setTimeout(() => {
      this.flushTimer = undefined
      this.flush()
    }, delayMs)
  }

  /** Sends up to SEND_BURST messages from the queue; the rest waits SEND_INTERVAL_MS. */
  private flush(): void {
    if (!this.deps.isRunning()) return
    for (let i = 0; i < SEND_BURST && (this.marks.size > 0 || this.silences.size > 0); i++) {
      const marks = take(this.marks, WIRE_LIMITS.alertingMarksMax)
      const silences = take(this.silences, WIRE_LIMITS.alertingSilencesMax)
      this.send(marks, silences)
    }
    this.scheduleFlush(SEND_INTERVAL_MS)
  }

  /** Sends one batch, halving it until each part fits in messageBytesMax. */
  private send(marks: WireMark[], silences: Silence[]): void {
    const bytes = encodeMessage({ type: 'alerting', ...this.deps.header(), marks, silences })
    if (bytes.byteLength <= this.deps.messageBytesMax) {
      this.deps.publish(bytes)
      this.stats.messagesSent++
      this.stats.marksSent += marks.length
      this.stats.silencesSent += silences.length
      return
    }
    if (marks.length + silences.length <= 1) {
      // One silence (matchers, comment) larger than a message: it cannot travel.
      if (silences.length === 1) {
        this.dropped['silence-too-large']++
        this.deps.logger.warn({ silence: silences[0]!.id, bytes: bytes.byteLength }, 'a silence is too large to gossip (messageBytesMax); it holds on this node only')
      }
      return
    }
    const mh = Math.ceil(marks.length / 2)
    const sh = Math.floor(silences.length / 2)
    this.send(marks.slice(0, mh), silences.slice(0, sh))
    this.send(marks.slice(mh), silences.slice(sh))
  }

  // ---- receiving -----------------------------------------------------------------------------

  onUpdate(listener: AlertingListener): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** An alerting message from another member that passed the gossip validator and the trust rules. */
  received(m: AlertingMessage): void {
    if (m.sender === this.deps.selfId) return
    this.dropped['silence-invalid'] += m.silencesMalformed ?? 0
    const silences: Silence[] = []
    for (const s of m.silences) {
      try {
        validateSilence(s)
        silences.push(s)
      } catch {
        this.dropped['silence-invalid']++
      }
    }
    const marks: NotifiedMark[] = m.marks.map((x) => ({ fingerprint: x.fingerprint, status: x.status, by: m.sender, atMs: x.atMs }))
    if (marks.length === 0 && silences.length === 0) return
    this.stats.updatesReceived++
    const update: AlertingUpdate = { from: m.sender, marks, silences }
    queueMicrotask(() => this.deliver(update))
  }

  private deliver(update: AlertingUpdate): void {
    for (const listener of [...this.listeners]) {
      try {
        // Each listener gets its own copy: one that mutates cannot change what the next sees.
        listener(structuredClone(update))
      } catch (err) {
        this.stats.listenerErrors++
        try { this.deps.logger.error({ err }, 'an alerting listener threw; the update went on to the others') } catch { /* a failing logger changes nothing */ }
      }
    }
  }

  // ---- anti-entropy of silences --------------------------------------------------------------

  /** Sets the provider of this node's silences to resend periodically (and after joins). */
  setSnapshot(provider: AlertingSnapshot): void {
    this.snapshot = provider
    if (this.deps.isRunning()) this.scheduleResync(this.periodicDelay())
  }

  /** The node started: with a provider, resend soon (peers may have missed what changed while it was down). */
  start(): void {
    if (this.snapshot !== undefined) this.scheduleResync(this.joinDelay())
  }

  stop(): void {
    this.flushTimer?.cancel()
    this.flushTimer = undefined
    this.resyncTimer?.cancel()
    this.resyncTimer = undefined
    this.resyncSoon = false
  }

  /** A member joined or came back: resend the silences soon, once for a burst of joins. */
  memberJoined(): void {
    if (this.snapshot === undefined || !this.deps.isRunning() || this.resyncSoon) return
    this.scheduleResync(this.joinDelay())
    this.resyncSoon = true
  }

  private periodicDelay(): number {
    return RESYNC_INTERVAL_MS * (0.75 + 0.5 * this.deps.random.next())
  }

  private joinDelay(): number {
    return JOIN_RESYNC_DELAY_MS_MIN + JOIN_RESYNC_DELAY_MS_SPAN * this.deps.random.next()
  }

  private scheduleResync(delayMs: number): void {
    this.resyncTimer?.cancel()
    this.resyncTimer = this.deps.clock.setTimeout(() => this.resync(), delayMs)
  }

  private resync(): void {
    this.resyncTimer = undefined
    this.resyncSoon = false
    if (!this.deps.isRunning() || this.snapshot === undefined) return
    this.stats.resyncRounds++
    let all: readonly Silence[] = []
    try {
      all = this.snapshot().silences
    } catch (err) {
      this.stats.snapshotErrors++
      this.deps.logger.error({ err }, 'the alerting snapshot provider threw; silences not resent this round')
    }
    if (all.length > 0) {
      const start = this.resyncOffset % all.length
      const count = Math.min(all.length, RESYNC_SILENCES_MAX)
      for (let i = 0; i < count; i++) this.queueSilence(all[(start + i) % all.length]!)
      this.resyncOffset = (start + count) % all.length
      this.scheduleFlush(0)
    }
    this.scheduleResync(this.periodicDelay())
  }
}

/** Whether a silence would pass a receiver's checks: the wire shape and the alerts core's validateSilence. */
function sendable(s: Silence): boolean {
  try {
    validateSilence(s)
    return decodeSilence(encodeSilence(s)) !== undefined
  } catch {
    return false
  }
}

/** Removes and returns up to `n` values from the front of a map (oldest first). */
function take<V>(map: Map<string, V>, n: number): V[] {
  const out: V[] = []
  for (const [key, value] of map) {
    if (out.length >= n) break
    out.push(value)
    map.delete(key)
  }
  return out
}
