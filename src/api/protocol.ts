/**
 * The socket API's shapes, shared by the server (src/api/server.ts) and every client (the CLI,
 * scripts). These are a public contract (DESIGN.md §3): extend, never rename or remove.
 */
import type { NodeStatus } from '../transport/codec.ts'

export type { NodeStatus }

/** `missing`: registered as an expected member but never heard from. */
export type PeerState = 'alive' | 'suspect' | 'dead' | 'left' | 'missing'
export const PEER_STATES: readonly PeerState[] = ['alive', 'suspect', 'dead', 'left', 'missing']

export type Severity = 'info' | 'warning' | 'critical'

export interface PeerView {
  id: string
  name: string
  state: PeerState
  /** Current phi of this node's detector for the peer; null when this node does not observe it. */
  phi: number | null
  /** Milliseconds since this node last heard the peer's heartbeat; null if never. */
  lastHeardMs: number | null
  /** How many of the peer's observers agree with `state`, out of how many (this node included). */
  observers: { agree: number; total: number }
  /** The peer's own health summary, from its heartbeats or the observers' reports. */
  status: NodeStatus | 'unknown'
  incarnation: number
  /** Whether this node is one of the peer's observers (its verdict is first-hand). */
  observedBySelf: boolean
  /** Failure episodes seen for this peer (transitions into suspect), the seed's failure count. */
  failureCount: number
  /** When the peer entered its current state (ISO 8601). */
  since: string
  addrs: string[]
}

export interface SelfView {
  id: string
  name: string
  cluster: string
  status: NodeStatus
  incarnation: number
  addrs: string[]
  /** Lifeguard local health score: 0 is healthy; timeouts are stretched by (1 + awareness). */
  awareness: number
  startedAt: string
  uptimeMs: number
  version: string
}

/** GET /v1/view and `healthmon status --json`. */
export interface ClusterView {
  self: SelfView
  peers: PeerView[]
  generatedAt: string
}

/** One entry of the local alert log. */
export interface AlertEntry {
  id: number
  at: string
  severity: Severity
  peer: string
  peerName: string
  from: PeerState
  to: PeerState
  message: string
}

/** Every error body: `{"error":{"code","message"}}`. */
export interface ErrorBody {
  error: { code: string; message: string }
}

/** One change of a peer's state as this node saw it; `reason` says what caused it, for humans. */
export interface PeerHistoryEntry {
  /** When the change happened (ISO 8601). */
  at: string
  from: PeerState
  to: PeerState
  reason: string
}

/** GET /v1/peers/{id-or-name} and `healthmon peer --json`: the peer's view plus its recent history, oldest first. */
export interface PeerDetail extends PeerView {
  history: PeerHistoryEntry[]
}

/** GET /v1/alerts and `healthmon alerts --json`. */
export interface AlertsResponse {
  alerts: AlertEntry[]
}

/**
 * The socket API's paths, so server and clients cannot drift apart. A peer is addressed by id or
 * by name, percent-encoded as one path segment.
 */
export const API_PATHS = {
  view: '/v1/view',
  self: '/v1/self',
  alerts: '/v1/alerts',
  peer: (idOrName: string): string => `/v1/peers/${encodeURIComponent(idOrName)}`
} as const
