import { GOSSIP_SCORE_THRESHOLDS, installTopicScores, scoredGossipsub, type ScoredGossipsub } from './gossip-score.ts'
import { GossipsubRejects, type GossipsubRejectStats } from './gossipsub-rejects.ts'
import { TopicValidatorResult, type Message } from '@libp2p/gossipsub'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { createLibp2pNode, type Libp2pNodeOptions, type Libp2pServices } from './libp2p-node.ts'
import { sleep, type Clock } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'
import { HealthmonError } from '../errors.ts'
import { sendRequest, serveRequests } from './libp2p-streams.ts'
import { parseJoinAddress } from './join-address.ts'
import { Ed25519Keys } from './ed25519-keys.ts'
import type {
  MessageValidator, ProbeResult, RequestHandler, SubscribeOptions, Transport, TransportEvents, TransportMessage, ValidationResult
} from './types.ts'

/**
 * The agent's transport: the Transport contract over the libp2p node that libp2p-node.ts builds
 * (TCP, noise, yamux, identify, ping, gossipsub for the heartbeat and event topics).
 *
 * This file and libp2p-node.ts are the only ones that import the gossipsub implementation
 * (`@libp2p/gossipsub`, the js-libp2p maintainers' build of ChainSafe's gossipsub for libp2p 3):
 * moving back to `@chainsafe/libp2p-gossipsub` once it supports libp2p 3 changes these two.
 */
/** The node's options (libp2p-node.ts), and what the transport itself needs. */
export interface Libp2pTransportOptions extends Libp2pNodeOptions {
  /** Paces probe retries. libp2p itself keeps its own (real-time) timers. */
  clock: Clock
  logger: Logger
}

/** What this transport counts; read with stats(). */
export interface Libp2pTransportStats {
  /** gossipsub's own drops (bad signatures and the like, before our validator), see gossipsub-rejects.ts. */
  gossipsub: GossipsubRejectStats
  /** Incoming gossip messages rejected for a payload above messageBytesMax. */
  oversizeRejected: number
  /** Validator calls that threw (treated as `ignore`). */
  validatorErrors: number
  /** onMessage or event listener calls that threw (logged and swallowed). */
  listenerErrors: number
  /** Connected peers whose gossipsub score is below the gossip / graylist threshold now (see gossip-score.ts). */
  peersBelowGossipThreshold: number
  peersGraylisted: number
}


const VALIDATION: Record<ValidationResult, TopicValidatorResult> = {
  accept: TopicValidatorResult.Accept,
  reject: TopicValidatorResult.Reject,
  ignore: TopicValidatorResult.Ignore
}

/** Pause between probe attempts that failed over a live connection. */
const PROBE_RETRY_MS = 50

const P2P_CODE = 421 // the /p2p/<peer id> multiaddr component

/** Removes a trailing /p2p/<id>; undefined when the address is malformed or names a different peer. */
function addressFor(peer: string, address: string): Multiaddr | undefined {
  let ma: Multiaddr
  try {
    ma = multiaddr(address)
  } catch {
    return undefined // one malformed address (from gossip, say) must not spoil the others
  }
  const named = ma.getComponents().find((c) => c.code === P2P_CODE)?.value
  if (named !== undefined && named !== peer) return undefined
  return ma.decapsulateCode(P2P_CODE)
}

export class Libp2pTransport implements Transport {
  readonly peerId: string
  private readonly node: Libp2p<Libp2pServices>
  private readonly options: Libp2pTransportOptions
  private readonly log: Logger
  private readonly topics = new Set<string>()
  /** Topics subscribed with relay: false (see SubscribeOptions). */
  private readonly directOnly = new Set<string>()
  private readonly handlers = new Map<string, RequestHandler>()
  private readonly listeners: { [K in keyof TransportEvents]: Set<(value: TransportEvents[K]) => void> } = {
    'peer:connect': new Set(),
    'peer:disconnect': new Set()
  }
  private validator: MessageValidator = () => 'accept'
  private messageHandler: (msg: TransportMessage) => void = () => {}
  private lifecycle: Promise<void> = Promise.resolve()
  private running = false
  private readonly counters: Omit<Libp2pTransportStats, 'gossipsub' | 'peersBelowGossipThreshold' | 'peersGraylisted'> = { oversizeRejected: 0, validatorErrors: 0, listenerErrors: 0 }
  private readonly gossipsubRejects: GossipsubRejects
  private readonly scoring: ScoredGossipsub
  /** The members' public keys, imported once, for verify() (bounded, see ed25519-keys.ts). */
  private readonly keys = new Ed25519Keys()

  constructor(node: Libp2p<Libp2pServices>, options: Libp2pTransportOptions, gossipsubRejects: GossipsubRejects) {
    this.node = node
    this.gossipsubRejects = gossipsubRejects
    this.options = options
    this.peerId = node.peerId.toString()
    this.log = options.logger.child({ component: 'transport' })
    node.addEventListener('peer:connect', (evt) => this.emit('peer:connect', evt.detail.toString()))
    node.addEventListener('peer:disconnect', (evt) => this.emit('peer:disconnect', evt.detail.toString()))
    node.services.pubsub.addEventListener('message', (evt) => this.deliver(evt.detail))
    this.scoring = scoredGossipsub(node.services.pubsub)
    installTopicScores(this.scoring)
  }

  start(): Promise<void> {
    // Lifecycle calls are serialised, so start/stop are idempotent even when overlapping.
    this.lifecycle = this.lifecycle.catch(() => undefined).then(async () => {
      if (this.running) return
      try {
        await this.node.start()
      } catch (err) {
        await Promise.resolve(this.node.stop()).catch(() => undefined)
        throw listenFailed(this.options.listen, err)
      }
      const pubsub = this.node.services.pubsub
      // gossipsub forgets its subscriptions on stop and refuses them before start, so the
      // transport keeps the set and applies it here.
      for (const topic of this.topics) this.applySubscribe(topic)
      for (const protocol of this.handlers.keys()) await this.register(protocol)
      this.running = true
      this.log.info({ peerId: this.peerId, addresses: this.listenAddresses(), topics: pubsub.getTopics().length }, 'transport started')
    })
    return this.lifecycle
  }

  stop(): Promise<void> {
    this.lifecycle = this.lifecycle.catch(() => undefined).then(async () => {
      if (!this.running) return
      this.running = false
      await this.node.stop()
      this.log.info('transport stopped')
    })
    return this.lifecycle
  }

  listenAddresses(): string[] {
    return this.node.getMultiaddrs().map((ma) => ma.toString())
  }

  subscribe(topic: string, options: SubscribeOptions = {}): void {
    if (options.relay === false) this.directOnly.add(topic)
    else this.directOnly.delete(topic)
    if (this.topics.has(topic)) return
    this.topics.add(topic)
    if (this.running) this.applySubscribe(topic)
  }

  unsubscribe(topic: string): void {
    this.directOnly.delete(topic)
    if (!this.topics.delete(topic)) return
    const pubsub = this.node.services.pubsub
    pubsub.topicValidators.delete(topic)
    if (this.running) pubsub.unsubscribe(topic)
  }

  subscriptions(): string[] {
    return [...this.topics]
  }

  async publish(topic: string, data: Uint8Array): Promise<void> {
    if (!this.running) throw new HealthmonError('NOT_STARTED', 'publish before the transport started')
    if (data.byteLength > this.options.messageBytesMax) {
      throw new HealthmonError('MESSAGE_INVALID', `message of ${data.byteLength} bytes exceeds messageBytesMax ${this.options.messageBytesMax}`)
    }
    // allowPublishToZeroTopicPeers is set, so "no peers" resolves instead of throwing.
    await this.node.services.pubsub.publish(topic, data)
  }

  sign(data: Uint8Array): Uint8Array {
    const signature = this.options.privateKey.sign(data)
    // Ed25519 (the only key type node-key.ts makes) signs synchronously in Node.
    if (signature instanceof Promise) throw new HealthmonError('CONFIG_INVALID', `node key type ${this.options.privateKey.type} cannot sign synchronously; use an Ed25519 key`)
    return signature
  }

  verify(peerId: string, data: Uint8Array, signature: Uint8Array): boolean {
    // The peer id embeds the key; it is decoded and imported once per member (ed25519-keys.ts).
    return this.keys.verify(peerId, () => {
      const key = peerIdFromString(peerId).publicKey
      return key?.type === 'Ed25519' ? key.raw : undefined
    }, data, signature)
  }

  setValidator(validator: MessageValidator): void {
    this.validator = validator
  }

  onMessage(handler: (msg: TransportMessage) => void): void {
    this.messageHandler = handler
  }

  /** Dials a join address: a multiaddr or host:port (parsed by parseJoinAddress, which throws JOIN_ADDRESS_INVALID). */
  async dial(address: string): Promise<string> {
    const connection = await this.node.dial(multiaddr(parseJoinAddress(address).multiaddr))
    return connection.remotePeer.toString()
  }

  async connect(peerId: string, addresses: readonly string[]): Promise<void> {
    const peer = peerIdFromString(peerId)
    if (this.node.getConnections(peer).length > 0) return
    const multiaddrs = addresses.map((a) => addressFor(peerId, a)).filter((a) => a !== undefined)
    if (multiaddrs.length > 0) await this.node.peerStore.merge(peer, { multiaddrs })
    await this.node.dial(peer)
  }

  async disconnect(peerId: string): Promise<void> {
    await this.node.hangUp(peerIdFromString(peerId))
  }

  connectedPeers(): string[] {
    return this.node.getPeers().map((p) => p.toString())
  }

  isConnected(peerId: string): boolean {
    let peer: PeerId
    try {
      peer = peerIdFromString(peerId)
    } catch {
      return false // not a peer id: no connection can be to it
    }
    return this.node.getConnections(peer).length > 0
  }

  async probe(peerId: string, timeoutMs: number): Promise<ProbeResult> {
    let peer: PeerId
    try {
      peer = peerIdFromString(peerId)
    } catch {
      return { ok: false, reason: 'refused' }
    }
    const signal = AbortSignal.timeout(timeoutMs)
    const aborted = new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
    for (;;) {
      const hadConnection = this.node.getConnections(peer).length > 0
      try {
        const rttMs = await this.node.services.ping.ping(peer, { signal })
        return { ok: true, rttMs }
      } catch (err) {
        if (signal.aborted) return { ok: false, reason: 'timeout' }
        if (!hadConnection && this.node.getConnections(peer).length === 0) {
          // The dial itself failed: connection refused, no known address, or the gater said no.
          this.log.debug({ err, peer: peerId }, 'probe refused')
          return { ok: false, reason: 'refused' }
        }
        // A failure over a live connection is not "refused": the connection may just have died
        // with its process (the next attempt dials afresh and tells), or an earlier probe's ping
        // stream is still open, stuck while the peer was paused (ping allows few concurrent
        // streams). Try again shortly until the time is up.
        this.log.debug({ err, peer: peerId }, 'probe failed over a live connection; retrying')
        await Promise.race([sleep(this.options.clock, PROBE_RETRY_MS), aborted])
      }
    }
  }

  handle(protocol: string, handler: RequestHandler): void {
    const isNew = !this.handlers.has(protocol)
    this.handlers.set(protocol, handler)
    if (isNew && this.running) {
      this.register(protocol).catch((err: unknown) => this.log.error({ err, protocol }, 'registering protocol handler failed'))
    }
  }

  async request(peerId: string, protocol: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    return sendRequest(this.node, peerIdFromString(peerId), protocol, data, timeoutMs)
  }

  on<K extends keyof TransportEvents>(event: K, listener: (value: TransportEvents[K]) => void): void {
    this.listeners[event].add(listener)
  }

  stats(): Libp2pTransportStats {
    let peersBelowGossipThreshold = 0
    let peersGraylisted = 0
    for (const peer of this.connectedPeers()) {
      const score = this.peerScore(peer)
      if (score < GOSSIP_SCORE_THRESHOLDS.gossipThreshold) peersBelowGossipThreshold++
      if (score < GOSSIP_SCORE_THRESHOLDS.graylistThreshold) peersGraylisted++
    }
    return { ...this.counters, gossipsub: this.gossipsubRejects.stats(), peersBelowGossipThreshold, peersGraylisted }
  }

  /** A peer's gossipsub score here (0 for one it holds no stats for). */
  peerScore(peerId: string): number {
    return this.scoring.getScore(peerId)
  }

  private register(protocol: string): Promise<void> {
    // One libp2p handler per protocol looks up the current RequestHandler on each stream, so
    // handle() can replace a handler without touching the registrar; force re-registers after a
    // restart.
    return this.node.handle(protocol, serveRequests(protocol, () => this.handlers.get(protocol), this.log), { force: true })
  }

  private applySubscribe(topic: string): void {
    const pubsub = this.node.services.pubsub
    // gossipsub validators are per topic: one per subscribed topic, each calling the current
    // transport-wide validator, so setValidator() applies to every topic at once.
    pubsub.topicValidators.set(topic, (propagationSource, msg) => this.validate(propagationSource, msg))
    pubsub.subscribe(topic)
  }

  private validate(propagationSource: PeerId, msg: Message): TopicValidatorResult {
    // StrictSign rejects unsigned messages before this point; the check narrows the type.
    if (msg.type !== 'signed') return TopicValidatorResult.Reject
    if (msg.data.byteLength > this.options.messageBytesMax) {
      this.counters.oversizeRejected++
      return TopicValidatorResult.Reject
    }
    const direct = this.directOnly.has(msg.topic)
    // A relayed copy on a direct-only topic: the publisher's own copy is (or was) on its way.
    if (direct && !propagationSource.equals(msg.from)) return TopicValidatorResult.Ignore
    try {
      const result = VALIDATION[this.validator({ topic: msg.topic, from: msg.from.toString(), data: msg.data })]
      if (!direct || result !== TopicValidatorResult.Accept) return result
      // Deliver here and tell gossipsub to ignore it, which is how a message is kept from being
      // forwarded: gossipsub has no "accept but do not relay".
      this.deliver(msg)
      return TopicValidatorResult.Ignore
    } catch (err) {
      // A validator bug is ours, not the sender's: drop without penalising the forwarder.
      this.counters.validatorErrors++
      this.log.error({ err, topic: msg.topic }, 'message validator threw; message ignored')
      return TopicValidatorResult.Ignore
    }
  }

  private deliver(msg: Message): void {
    if (msg.type !== 'signed' || msg.from.equals(this.node.peerId)) return
    try {
      this.messageHandler({ topic: msg.topic, from: msg.from.toString(), data: msg.data })
    } catch (err) {
      // Node's EventTarget would turn a throwing listener into an uncaught exception.
      this.counters.listenerErrors++
      this.log.error({ err, topic: msg.topic }, 'message handler threw')
    }
  }

  private emit<K extends keyof TransportEvents>(event: K, value: TransportEvents[K]): void {
    for (const listener of this.listeners[event]) {
      try {
        listener(value)
      } catch (err) {
        this.counters.listenerErrors++
        this.log.error({ err, event }, 'transport event listener threw')
      }
    }
  }
}

const LISTEN_FIXES: Record<string, string> = {
  EADDRINUSE: 'the port is in use (another agent?); pick a free one, e.g. --listen /ip4/127.0.0.1/tcp/7947, or port 0 for any',
  EADDRNOTAVAIL: 'the address is not one of this host\'s; use one of its interfaces, 127.0.0.1, or 0.0.0.0 for all',
  EACCES: 'ports below 1024 need privileges; use a port of 1024 or more'
}

/** One actionable error (LISTEN_FAILED) for a listener that could not be opened. */
function listenFailed(listen: readonly string[], err: unknown): HealthmonError {
  const text = err instanceof Error ? err.message : String(err)
  const errno = /\b(EADDRINUSE|EADDRNOTAVAIL|EACCES)\b/.exec(`${(err as { code?: unknown })?.code ?? ''} ${text}`)?.[1]
  const fix = errno === undefined ? 'check the --listen addresses' : LISTEN_FIXES[errno]!
  return new HealthmonError('LISTEN_FAILED', `cannot listen on ${listen.join(', ')}: ${errno ?? text}; ${fix}`, { cause: err })
}

/** Builds (but does not start) the libp2p node and wraps it in the Transport contract. */
export async function createLibp2pTransport(options: Libp2pTransportOptions): Promise<Libp2pTransport> {
  const gossipsubRejects = new GossipsubRejects()
  return new Libp2pTransport(await createLibp2pNode(options, gossipsubRejects), options, gossipsubRejects)
}
