import { hash, randomBytes, timingSafeEqual } from 'node:crypto'
import { IssuedSignatures } from './issued-signatures.ts'
import { SharedValues } from './shared-values.ts'
import type { Clock } from '../runtime/clock.ts'
import { HealthmonError } from '../errors.ts'
import { MemoryLinks, type LinkModel, type LinkObserver, type MemoryNetworkStats } from './memory-links.ts'
import type {
  MessageValidator, ProbeResult, RequestHandler, Transport, TransportEvents, TransportMessage
} from './types.ts'

/**
 * An in-memory network of transports, for unit tests and the simulator. It keeps the libp2p
 * transport's semantics as seen through the Transport contract (the same contract tests run on
 * both) without modelling meshes: a publish reaches every other started subscriber of the topic,
 * one hop, through each receiver's validator. Every message is copied (no buffers are shared),
 * the size limit is enforced, and all delivery is scheduled on the injected Clock, never run
 * inside the caller, so a VirtualClock makes a run a pure function of its inputs.
 *
 * Faults, for tests and the simulator's nemeses:
 * - cutLink / healLink: a partition of one link, both directions or one (messages already in
 *   flight on a link that is cut are lost too);
 * - setLinkModel: per-message loss, delay and duplication;
 * - setPaused: a SIGSTOPped process. Messages to it wait (like bytes in its socket buffers) and
 *   are handled on resume; what it sends while paused leaves on resume;
 * - stop(): a crashed or stopped process. Probes and requests to it are refused.
 *
 * Costs: a publish is O(subscribers of the topic) through a topic → subscribers index, so 1,000
 * nodes with ~10 subscriptions each stay cheap.
 */

export { PERFECT_LINKS, type LinkDecision, type LinkModel, type LinkObserver, type MemoryNetworkStats, type TrafficKind } from './memory-links.ts'

/** Largest request/response frame, the same as the libp2p transport's (libp2p-streams.ts). */
export const MEMORY_FRAME_BYTES_MAX = 4 * 1024 * 1024
/** How long a dial waits for a handshake through a cut link or to a paused peer (libp2p's default). */
export const MEMORY_DIAL_TIMEOUT_MS = 10_000
const PROBE_BYTES = 32

function timeoutError(message: string): Error {
  const err = new Error(message)
  err.name = 'TimeoutError'
  return err
}

function refusedError(peerId: string): Error {
  const err = new Error(`connection refused by ${peerId}`)
  err.name = 'ConnectionRefusedError'
  return err
}

export class MemoryNetwork {
  readonly clock: Clock
  readonly messageBytesMax: number
  /** @internal the link layer, shared with the transports */
  readonly links: MemoryLinks
  private readonly nodes = new Map<string, MemoryTransport>()
  private readonly subscribers = new Map<string, Set<MemoryTransport>>()
  /**
   * The network's signing authority. A peer's signature is HMAC-SHA256(key(peer), data) (RFC
   * 2104) with key(peer) = SHA-256(secret, peer id): unforgeable by any node on this network,
   * which never sees the secret or another peer's key, and a few µs where Ed25519 verification
   * costs ~50 µs, so the simulator's thousand nodes can check every record they are handed.
   * HMAC is computed from two one-shot hashes over the padded keys (createHmac builds a key
   * object per call, which cost more than the hashing).
   */
  private readonly signingSecret = randomBytes(32)
  private readonly signingKeys = new Map<string, { inner: Buffer; outer: Buffer }>()
  /** What signAs issued, so a check is a lookup (issued-signatures.ts); 65,536 held at most. */
  private readonly issued = new IssuedSignatures(65_536)
  /** Decoded values the nodes share (shared-values.ts), one copy per member instead of one per node. */
  readonly sharedValues = new SharedValues()

  constructor(options: { clock: Clock; messageBytesMax: number }) {
    this.clock = options.clock
    this.messageBytesMax = options.messageBytesMax
    this.links = new MemoryLinks(options.clock)
  }

  /**
   * Adds a node. `messageBytesMax` overrides the network's limit for this node (what it may
   * publish and what it accepts), to test nodes configured with different limits. `clock` is the
   * node's own clock for its timeouts and event callbacks (the simulator's per-node clock, which
   * pauses and drifts with the node); the network's clock by default.
   */
  createTransport(peerId: string, options: { messageBytesMax?: number; clock?: Clock } = {}): MemoryTransport {
    if (this.nodes.has(peerId)) throw new Error(`memory network: peer id ${peerId} already exists`)
    if (peerId === '' || peerId.includes('/')) throw new Error(`memory network: invalid peer id "${peerId}"`)
    const transport = new MemoryTransport(this, peerId, options.messageBytesMax ?? this.messageBytesMax, options.clock ?? this.clock)
    this.nodes.set(peerId, transport)
    return transport
  }

  /** Cuts the link between a and b (both directions, or only a → b with oneWay). */
  cutLink(a: string, b: string, options: { oneWay?: boolean } = {}): void {
    this.links.cut(a, b, options.oneWay === true)
  }

  /** Heals the link between a and b (both directions, or only a → b with oneWay). */
  healLink(a: string, b: string, options: { oneWay?: boolean } = {}): void {
    this.links.heal(a, b, options.oneWay === true)
  }

  setLinkModel(model: LinkModel): void {
    this.links.setModel(model)
  }

  /** Observes every copy sent and received (per-node traffic accounting in the simulator). */
  setLinkObserver(observer: LinkObserver | undefined): void {
    this.links.setObserver(observer)
  }

  /** Pauses (SIGSTOP) or resumes (SIGCONT) a node. */
  setPaused(peerId: string, paused: boolean): void {
    this.node(peerId).setPausedState(paused)
  }

  stats(): MemoryNetworkStats {
    const counters = this.links.counters
    return { ...counters, dropped: { ...counters.dropped } }
  }

  // ---- used by MemoryTransport ----

  /** @internal */
  node(peerId: string): MemoryTransport {
    const node = this.nodes.get(peerId)
    if (node === undefined) throw new Error(`memory network: no peer ${peerId}`)
    return node
  }

  /** @internal */
  find(peerId: string): MemoryTransport | undefined {
    return this.nodes.get(peerId)
  }

  /** @internal */
  indexSubscription(node: MemoryTransport, topic: string, subscribed: boolean): void {
    let set = this.subscribers.get(topic)
    if (subscribed) {
      if (set === undefined) this.subscribers.set(topic, (set = new Set()))
      set.add(node)
    } else if (set !== undefined) {
      set.delete(node)
      if (set.size === 0) this.subscribers.delete(topic)
    }
  }

  /** @internal */
  signAs(peerId: string, data: Uint8Array): Uint8Array {
    const signature = this.hmac(peerId, data)
    this.issued.remember(signature, peerId, data)
    return signature
  }

  /** @internal */
  verifySignature(peerId: string, data: Uint8Array, signature: Uint8Array): boolean {
    const held = this.issued.check(signature, peerId, data)
    if (held !== undefined) return held
    const expected = this.hmac(peerId, data)
    return signature.byteLength === expected.byteLength && timingSafeEqual(signature, expected)
  }

  private hmac(peerId: string, data: Uint8Array): Uint8Array {
    const key = this.signingKey(peerId)
    const inner = hash('sha256', Buffer.concat([key.inner, data]), 'buffer')
    return new Uint8Array(hash('sha256', Buffer.concat([key.outer, inner]), 'buffer'))
  }

  private signingKey(peerId: string): { inner: Buffer; outer: Buffer } {
    let key = this.signingKeys.get(peerId)
    if (key === undefined) {
      // A 32-byte key, zero-padded to SHA-256's 64-byte block, XORed with ipad and opad.
      const k = Buffer.alloc(64)
      hash('sha256', Buffer.concat([this.signingSecret, Buffer.from(peerId)]), 'buffer').copy(k)
      key = { inner: Buffer.from(k.map((b) => b ^ 0x36)), outer: Buffer.from(k.map((b) => b ^ 0x5c)) }
      // Only ids of this network's own nodes are kept; a key for an unknown id is derived each time.
      if (this.nodes.has(peerId)) this.signingKeys.set(peerId, key)
    }
    return key
  }

  /** @internal */
  subscribersOf(topic: string): Iterable<MemoryTransport> {
    return this.subscribers.get(topic) ?? []
  }
}

interface PendingCall {
  fail(err: Error): void
}

export class MemoryTransport implements Transport {
  readonly peerId: string
  readonly messageBytesMax: number
  /** @internal node state, read by MemoryNetwork */
  started = false
  /** @internal */
  paused = false
  /** @internal arrivals held while paused */
  inbox: Array<() => void> = []
  /** @internal sends made while paused */
  outbox: Array<() => void> = []
  private readonly net: MemoryNetwork
  /** The node's clock: call timeouts, event callbacks and resume scheduling run on it. */
  private clock: Clock
  private readonly topics = new Set<string>()
  private readonly handlers = new Map<string, RequestHandler>()
  private readonly connections = new Set<string>()
  private readonly pending = new Set<PendingCall>()
  private readonly listeners: { [K in keyof TransportEvents]: Set<(value: TransportEvents[K]) => void> } = {
    'peer:connect': new Set(),
    'peer:disconnect': new Set()
  }
  private validator: MessageValidator = () => 'accept'
  private messageHandler: (msg: TransportMessage) => void = () => {}

  /** The network's, shared by every node on it (see shared-values.ts). */
  get sharedValues(): SharedValues {
    return this.net.sharedValues
  }

  constructor(net: MemoryNetwork, peerId: string, messageBytesMax: number, clock: Clock) {
    this.net = net
    this.peerId = peerId
    this.messageBytesMax = messageBytesMax
    this.clock = clock
  }

  /**
   * @internal a restarted process in the simulator, on the same address: it brings a new clock of
   * its own, and what the old process registered went with it. The old node's connection
   * listeners stayed otherwise, holding the whole dead node (its member table, view and actors)
   * alive for the rest of the run, one more per restart.
   */
  newProcess(clock: Clock): void {
    this.clock = clock
    this.listeners['peer:connect'].clear()
    this.listeners['peer:disconnect'].clear()
    this.handlers.clear()
    this.validator = () => 'accept'
    this.messageHandler = () => {}
  }

  async start(): Promise<void> {
    this.started = true
  }

  async stop(): Promise<void> {
    if (!this.started) return
    this.started = false
    this.inbox = []
    this.outbox = []
    for (const call of [...this.pending]) call.fail(new Error(`transport ${this.peerId} stopped`))
    for (const peer of [...this.connections]) this.unlink(this.net.node(peer))
  }

  listenAddresses(): string[] {
    return this.started ? [`/memory/${this.peerId}`] : []
  }

  /** SubscribeOptions.relay is moot here: every publish goes straight to each subscriber. */
  subscribe(topic: string): void {
    this.topics.add(topic)
    this.net.indexSubscription(this, topic, true)
  }

  unsubscribe(topic: string): void {
    this.topics.delete(topic)
    this.net.indexSubscription(this, topic, false)
  }

  subscriptions(): string[] {
    return [...this.topics]
  }

  async publish(topic: string, data: Uint8Array): Promise<void> {
    if (!this.started) throw new HealthmonError('NOT_STARTED', 'publish before the transport started')
    if (data.byteLength > this.messageBytesMax) {
      throw new HealthmonError('MESSAGE_INVALID', `message of ${data.byteLength} bytes exceeds messageBytesMax ${this.messageBytesMax}`)
    }
    this.net.links.counters.published++
    // Copied once, since the caller may reuse its buffer once publish returns, and shared by every
    // receiver: received data is only read (TransportMessage.data), and a copy per delivery was an
    // ArrayBuffer allocated per message per subscriber.
    const snapshot = data.slice()
    const kind = topic.includes('/hb/') ? 'heartbeat' : 'gossip'
    for (const to of this.net.subscribersOf(topic)) {
      if (to === this || !to.started) continue
      this.net.links.transmit(this, to, snapshot.byteLength, () => to.receiveGossip(this.peerId, topic, snapshot), undefined, kind)
    }
  }

  setValidator(validator: MessageValidator): void {
    this.validator = validator
  }

  sign(data: Uint8Array): Uint8Array {
    return this.net.signAs(this.peerId, data)
  }

  verify(peerId: string, data: Uint8Array, signature: Uint8Array): boolean {
    return this.net.verifySignature(peerId, data, signature)
  }

  onMessage(handler: (msg: TransportMessage) => void): void {
    this.messageHandler = handler
  }

  dial(address: string): Promise<string> {
    const match = /^\/memory\/([^/]+)(?:\/p2p\/([^/]+))?$/.exec(address.trim())
    if (match === null) return Promise.reject(new Error(`memory transport cannot dial "${address}": expected /memory/<peer id>`))
    const [, id = '', named] = match
    if (named !== undefined && named !== id) return Promise.reject(new Error(`address ${address} names two different peers`))
    return this.handshake(id, MEMORY_DIAL_TIMEOUT_MS).then(() => id)
  }

  async connect(peerId: string, _addresses: readonly string[]): Promise<void> {
    // Addresses are not needed in memory: a peer id is its address.
    if (this.connections.has(peerId)) return
    await this.handshake(peerId, MEMORY_DIAL_TIMEOUT_MS)
  }

  async disconnect(peerId: string): Promise<void> {
    const peer = this.net.find(peerId)
    if (peer !== undefined && this.connections.has(peerId)) this.unlink(peer)
  }

  connectedPeers(): string[] {
    return [...this.connections]
  }

  isConnected(peerId: string): boolean {
    return this.connections.has(peerId)
  }

  probe(peerId: string, timeoutMs: number): Promise<ProbeResult> {
    const start = this.clock.now()
    return this.handshake(peerId, timeoutMs).then(
      () => ({ ok: true, rttMs: this.clock.now() - start }),
      (err: Error) => ({ ok: false, reason: err.name === 'TimeoutError' ? 'timeout' : 'refused' })
    )
  }

  handle(protocol: string, handler: RequestHandler): void {
    this.handlers.set(protocol, handler)
  }

  request(peerId: string, protocol: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    if (data.byteLength > MEMORY_FRAME_BYTES_MAX) {
      return Promise.reject(new RangeError(`request of ${data.byteLength} bytes exceeds the ${MEMORY_FRAME_BYTES_MAX}-byte frame limit`))
    }
    const payload = data.slice() // the caller may reuse its buffer; the handler only reads it
    return this.call<Uint8Array>(peerId, timeoutMs, `request to ${peerId} on ${protocol}`, (to, settle) => {
      this.net.links.transmit(this, to, payload.byteLength, () => {
        this.link(to)
        const respond = (result: Uint8Array | Error): void => {
          const bytes = result instanceof Error ? 0 : result.byteLength
          this.net.links.transmit(to, this, bytes, () => settle(result instanceof Error ? result : result.slice()), undefined, 'response')
        }
        to.serve(this.peerId, protocol, payload).then(respond, respond)
      }, () => settle(refusedError(peerId)), 'request')
    })
  }

  on<K extends keyof TransportEvents>(event: K, listener: (value: TransportEvents[K]) => void): void {
    this.listeners[event].add(listener)
  }

  // ---- internals ----

  /** @internal runs this node's handler for one request; resolves the response or an Error. */
  async serve(from: string, protocol: string, request: Uint8Array): Promise<Uint8Array> {
    const handler = this.handlers.get(protocol)
    if (handler === undefined) throw new Error(`${this.peerId} does not support protocol ${protocol}`)
    let response: Uint8Array
    try {
      response = await handler(from, request)
    } catch (err) {
      // As over libp2p, the requester only learns that the stream was reset, not why.
      throw new Error(`request handler for ${protocol} on ${this.peerId} failed`, { cause: err })
    }
    if (response.byteLength > MEMORY_FRAME_BYTES_MAX) throw new Error(`response of ${response.byteLength} bytes exceeds the frame limit`)
    return response
  }

  /** @internal one gossip message arriving at this node */
  receiveGossip(from: string, topic: string, data: Uint8Array): void {
    const counters = this.net.links.counters
    if (!this.topics.has(topic)) return void counters.dropped.unsubscribed++
    if (data.byteLength > this.messageBytesMax) return void counters.dropped.oversize++
    const msg: TransportMessage = { topic, from, data }
    let verdict
    try {
      verdict = this.validator(msg)
    } catch {
      return void counters.dropped.validatorError++
    }
    if (verdict === 'reject') return void counters.dropped.rejected++
    if (verdict === 'ignore') return void counters.dropped.ignored++
    counters.delivered++
    try {
      this.messageHandler(msg)
    } catch {
      counters.handlerErrors++
    }
  }

  /** @internal SIGSTOP / SIGCONT */
  setPausedState(paused: boolean): void {
    if (this.paused === paused) return
    this.paused = paused
    if (paused) return
    // Resume: first what waited in our "socket buffers", in arrival order, then what we "sent"
    // while frozen. Each on its own clock tick, never inside the caller.
    const inbox = this.inbox
    const outbox = this.outbox
    this.inbox = []
    this.outbox = []
    for (const arrive of inbox) this.clock.setTimeout(() => { if (this.started) arrive() }, 0)
    for (const send of outbox) this.clock.setTimeout(send, 0)
  }

  /** A round trip that establishes the connection: dial, probe. */
  private handshake(peerId: string, timeoutMs: number): Promise<void> {
    return this.call<undefined>(peerId, timeoutMs, `dial to ${peerId}`, (to, settle) => {
      this.net.links.transmit(this, to, PROBE_BYTES, () => {
        this.net.links.transmit(to, this, PROBE_BYTES, () => {
          this.link(to)
          settle(undefined)
        }, undefined, 'dial')
      }, () => settle(refusedError(peerId)), 'dial')
    })
  }

  /**
   * A call to a peer that settles once: refused at once when the peer is unknown or stopped,
   * a TimeoutError after timeoutMs on the clock, or whatever `run` settles it with.
   */
  private call<T>(peerId: string, timeoutMs: number, what: string, run: (to: MemoryTransport, settle: (result: T | Error) => void) => void): Promise<T> {
    if (!this.started) return Promise.reject(new HealthmonError('NOT_STARTED', `${what} before the transport started`))
    const to = this.net.find(peerId)
    if (to === undefined || !to.started || to === this) return Promise.reject(refusedError(peerId))
    return new Promise<T>((resolve, reject) => {
      let settled = false
      const settle = (result: T | Error): void => {
        if (settled) return
        settled = true
        timer.cancel()
        this.pending.delete(entry)
        if (result instanceof Error) reject(result)
        else resolve(result)
      }
      const entry: PendingCall = { fail: settle }
      const timer = this.clock.setTimeout(() => settle(timeoutError(`${what} timed out after ${timeoutMs} ms`)), timeoutMs)
      this.pending.add(entry)
      run(to, settle)
    })
  }

  private link(peer: MemoryTransport): void {
    if (this.connections.has(peer.peerId) || !this.started || !peer.started) return
    this.connections.add(peer.peerId)
    peer.connections.add(this.peerId)
    this.emit('peer:connect', peer.peerId)
    peer.emit('peer:connect', this.peerId)
  }

  private unlink(peer: MemoryTransport): void {
    if (!this.connections.delete(peer.peerId)) return
    peer.connections.delete(this.peerId)
    this.emit('peer:disconnect', peer.peerId)
    peer.emit('peer:disconnect', this.peerId)
  }

  private emit<K extends keyof TransportEvents>(event: K, value: TransportEvents[K]): void {
    // Listeners run on their own clock tick, never inside the call that caused the event.
    this.clock.setTimeout(() => {
      for (const listener of this.listeners[event]) {
        try {
          listener(value)
        } catch {
          this.net.links.counters.handlerErrors++
        }
      }
    }, 0)
  }
}
