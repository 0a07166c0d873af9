import type { SharedValues } from './shared-values.ts'

/**
 * The transport contract. Two implementations: libp2p (TCP + noise + yamux + gossipsub) for the
 * agent, and an in-memory network for unit tests and the simulator. One contract test suite
 * (test/transport/contract.test.ts) runs against both, so code above this line cannot tell them
 * apart.
 *
 * Peer ids are strings: the libp2p peer id (base58, "12D3KooW...") or, in memory, any unique name.
 */

/** A message delivered from a topic. `from` is the authenticated sender (gossipsub's signed from). */
export interface TransportMessage {
  topic: string
  from: string
  /** Read only: the memory network hands every subscriber the same bytes. */
  readonly data: Uint8Array
}

/**
 * What the validator says of an incoming gossip message, before it is delivered or forwarded:
 * accept (deliver and forward), reject (drop; the forwarding peer is penalised: use for
 * malformed or forged messages) or ignore (drop silently: use for duplicates and replays).
 */
export type ValidationResult = 'accept' | 'reject' | 'ignore'

export type MessageValidator = (msg: TransportMessage) => ValidationResult

/** Outcome of a direct probe (libp2p ping). */
export type ProbeResult =
  | { ok: true; rttMs: number }
  /** refused: no connection could be made (the process is gone); timeout: no answer in time. */
  | { ok: false; reason: 'refused' | 'timeout' }

/** Handler for a request/response protocol: one request in, one response out. */
export type RequestHandler = (from: string, request: Uint8Array) => Promise<Uint8Array>

export interface SubscribeOptions {
  /**
   * false: accept only messages received directly from their publisher, and never forward them.
   * For heartbeat topics, whose publisher keeps a direct connection to every subscriber (its
   * observers), relaying only multiplies copies: each observer would forward every heartbeat to
   * its mesh peers, who already have it. Default true (normal gossip).
   */
  relay?: boolean
}

export interface TransportEvents {
  /** A connection to a peer opened (first connection only). */
  'peer:connect': string
  /** The last connection to a peer closed. */
  'peer:disconnect': string
}

export interface Transport {
  /** This node's peer id, stable for the transport's life. */
  readonly peerId: string

  /** Idempotent. After start(), listenAddresses() is final and the node accepts connections. */
  start(): Promise<void>
  /** Idempotent. Closes every connection and stops delivering messages. */
  stop(): Promise<void>

  /** Addresses others can dial, each ending in /p2p/<peerId> (memory: "/memory/<peerId>"). */
  listenAddresses(): string[]

  subscribe(topic: string, options?: SubscribeOptions): void
  unsubscribe(topic: string): void
  /** Topics this node is subscribed to. */
  subscriptions(): string[]
  /**
   * Publishes to a topic, fire and forget. Never throws for "no peers"; other failures are
   * counted by the implementation and reported through the returned promise's rejection.
   */
  publish(topic: string, data: Uint8Array): Promise<void>
  /**
   * Installs the validator that every incoming gossip message passes before delivery and
   * forwarding. Exactly one validator; calling again replaces it.
   */
  setValidator(validator: MessageValidator): void
  /** Installs the handler for accepted messages (one handler; calling again replaces it). */
  onMessage(handler: (msg: TransportMessage) => void): void

  /** Dials an address (multiaddr, with or without /p2p/<id>); resolves with the peer id reached. */
  dial(address: string): Promise<string>
  /** Ensures a connection to a known peer, trying the given addresses; resolves when connected. */
  connect(peerId: string, addresses: readonly string[]): Promise<void>
  /** Closes connections to a peer (e.g. one that left or was reaped). */
  disconnect(peerId: string): Promise<void>
  /** Peers with an open connection. */
  connectedPeers(): string[]
  /** Whether connectedPeers() holds `peerId`, without building the list (asked per neighbour every maintenance tick). */
  isConnected(peerId: string): boolean
  /** Direct probe over an existing or new connection. Never throws. */
  probe(peerId: string, timeoutMs: number): Promise<ProbeResult>

  /** Registers a request/response protocol handler. */
  handle(protocol: string, handler: RequestHandler): void
  /** Sends one request and waits for its response; rejects on timeout or error. */
  request(peerId: string, protocol: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>

  /**
   * Signs `data` with this node's key (libp2p: its Ed25519 private key; memory: a per-peer secret
   * the network holds). Used for the member records others relay as proof (membership/trust.ts).
   */
  sign(data: Uint8Array): Uint8Array
  /**
   * Whether `signature` over `data` was made by `peerId`'s key, checked from the id alone
   * (libp2p: the public key an Ed25519 peer id embeds; other key types are refused). Never throws.
   */
  verify(peerId: string, data: Uint8Array, signature: Uint8Array): boolean

  /**
   * Decoded values shared with the other nodes of this process (shared-values.ts): the memory
   * network's, for the simulator's thousands of nodes in one heap; absent for libp2p, whose
   * process holds one node.
   */
  readonly sharedValues?: SharedValues

  /** Connection events. */
  on<K extends keyof TransportEvents>(event: K, listener: (value: TransportEvents[K]) => void): void
}
