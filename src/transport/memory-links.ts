import type { Clock } from '../runtime/clock.ts'

/**
 * The link layer of the in-memory network: which links are cut, what the link model decides
 * for each message, when a message arrives, and what was dropped. It knows nodes only as link
 * endpoints (started, paused, and their held messages); topics, validators and handlers live in
 * memory-transport.ts.
 */

/** What happens to one message on one link. */
export type LinkDecision = { drop: true } | { drop: false; delayMs: number; duplicate?: boolean }

/**
 * Decides the fate of each message on a link. `duplicate` delivers a second copy (gossipsub
 * deduplicates by sender + sequence number only within its seen-cache TTL, so the layers above
 * must tolerate duplicates anyway; this exercises that).
 */
export interface LinkModel {
  decide(from: string, to: string, bytes: number): LinkDecision
}

/** What a copy on a link carries, for per-kind traffic accounting. */
export type TrafficKind = 'heartbeat' | 'gossip' | 'request' | 'response' | 'dial'

/**
 * Told of every copy a node puts on a link (`sent`, even if the link or the model then loses
 * it) and of every copy that reaches a running node (`received`, held-while-paused ones
 * included). The simulator counts messages and bytes per node with it.
 */
export interface LinkObserver {
  sent(from: string, to: string, bytes: number, kind: TrafficKind): void
  received(from: string, to: string, bytes: number, kind: TrafficKind): void
}

/** No loss, no delay. */
export const PERFECT_LINKS: LinkModel = { decide: () => ({ drop: false, delayMs: 0 }) }

export interface MemoryNetworkStats {
  /** publish() calls accepted. */
  published: number
  /** Copies put on a link (gossip, requests, responses, probes, dials). */
  sent: number
  /** Gossip messages handed to an onMessage handler. */
  delivered: number
  /** Extra copies made by the link model. */
  duplicated: number
  /** Arrivals held because the receiver was paused. */
  queuedWhilePaused: number
  dropped: {
    /** Lost on a cut link. */
    linkCut: number
    /** Lost by the link model's decision. */
    linkModel: number
    /** Sender or receiver stopped. */
    nodeDown: number
    /** Receiver no longer subscribed to the topic when the message arrived. */
    unsubscribed: number
    /** Payload above the receiver's messageBytesMax. */
    oversize: number
    /** Validator said reject / ignore / threw. */
    rejected: number
    ignored: number
    validatorError: number
  }
  /** onMessage handlers that threw (swallowed). */
  handlerErrors: number
}

/** What the link layer needs of a node. */
export interface LinkEndpoint {
  readonly peerId: string
  readonly started: boolean
  readonly paused: boolean
  /** Arrivals held while paused (the process's socket buffers), run on resume. */
  inbox: Array<() => void>
  /** Sends made while paused, made on resume. */
  outbox: Array<() => void>
}

export function emptyStats(): MemoryNetworkStats {
  return {
    published: 0, sent: 0, delivered: 0, duplicated: 0, queuedWhilePaused: 0,
    dropped: { linkCut: 0, linkModel: 0, nodeDown: 0, unsubscribed: 0, oversize: 0, rejected: 0, ignored: 0, validatorError: 0 },
    handlerErrors: 0
  }
}

export class MemoryLinks {
  /** Live counters, updated in place by the links and by the transports. */
  readonly counters: MemoryNetworkStats = emptyStats()
  private readonly clock: Clock
  /** Directed cut links, keyed `${from}\n${to}`. */
  private readonly cuts = new Set<string>()
  private model: LinkModel = PERFECT_LINKS
  private observer: LinkObserver | undefined

  constructor(clock: Clock) {
    this.clock = clock
  }

  cut(a: string, b: string, oneWay: boolean): void {
    this.cuts.add(`${a}\n${b}`)
    if (!oneWay) this.cuts.add(`${b}\n${a}`)
  }

  heal(a: string, b: string, oneWay: boolean): void {
    this.cuts.delete(`${a}\n${b}`)
    if (!oneWay) this.cuts.delete(`${b}\n${a}`)
  }

  isCut(from: string, to: string): boolean {
    // Checked twice per message: skip building the key while nothing is cut (the usual case).
    return this.cuts.size > 0 && this.cuts.has(`${from}\n${to}`)
  }

  setModel(model: LinkModel): void {
    this.model = model
  }

  setObserver(observer: LinkObserver | undefined): void {
    this.observer = observer
  }

  /**
   * Puts one message on the link from → to. `arrive` runs at the receiver when it gets there
   * (later, on the clock; held while the receiver is paused); `down` runs instead if the
   * receiver has stopped by then (a TCP reset, as far as the sender can tell).
   */
  transmit(from: LinkEndpoint, to: LinkEndpoint, bytes: number, arrive: () => void, down?: () => void, kind: TrafficKind = 'gossip'): void {
    if (from.paused) {
      from.outbox.push(() => this.transmit(from, to, bytes, arrive, down, kind))
      return
    }
    if (!from.started) {
      this.counters.dropped.nodeDown++
      return
    }
    this.observer?.sent(from.peerId, to.peerId, bytes, kind)
    if (this.isCut(from.peerId, to.peerId)) {
      this.counters.dropped.linkCut++
      return
    }
    const decision = this.model.decide(from.peerId, to.peerId, bytes)
    if (decision.drop) {
      this.counters.dropped.linkModel++
      return
    }
    const copies = decision.duplicate === true ? 2 : 1
    if (copies === 2) this.counters.duplicated++
    for (let i = 0; i < copies; i++) {
      this.counters.sent++
      this.clock.setTimeout(() => this.arrive(from, to, arrive, down, bytes, kind), decision.delayMs)
    }
  }

  private arrive(from: LinkEndpoint, to: LinkEndpoint, arrive: () => void, down: (() => void) | undefined, bytes: number, kind: TrafficKind): void {
    // A message in flight on a link that was cut meanwhile is lost with it.
    if (this.isCut(from.peerId, to.peerId)) {
      this.counters.dropped.linkCut++
      return
    }
    if (!to.started) {
      this.counters.dropped.nodeDown++
      down?.()
      return
    }
    this.observer?.received(from.peerId, to.peerId, bytes, kind)
    if (to.paused) {
      this.counters.queuedWhilePaused++
      to.inbox.push(arrive)
      return
    }
    arrive()
  }
}
