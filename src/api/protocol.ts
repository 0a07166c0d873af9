/**
 * The socket API's shapes, shared by the server (src/api/server.ts) and every client (the CLI,
 * scripts). These are a public contract (DESIGN.md §3): extend, never rename or remove.
 */
import type { AlertEvent, HealthEventName, PeerEvent } from '../events.ts'
import type { NodeStatus } from '../transport/codec.ts'
import type { CheckDetail, CheckInStatus, ChecksResponse } from '../checks/check-view.ts'
import type { PerfItem } from '../checks/perfdata.ts'
import type { CheckStatus } from '../health/types.ts'

export type { NodeStatus, HealthEventName, PeerEvent, AlertEvent, CheckDetail, CheckInStatus, ChecksResponse, CheckStatus, PerfItem }

/** `missing`: registered as an expected member but never heard from. */
export type PeerState = 'alive' | 'suspect' | 'dead' | 'left' | 'missing'
export const PEER_STATES: readonly PeerState[] = ['alive', 'suspect', 'dead', 'left', 'missing']

export type Severity = 'info' | 'warning' | 'critical'
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical']

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
  /** The agent's process id (for `kill`, and to tell a restarted agent from the one before). */
  pid: number
  /**
   * The --join list's progress: `none` without one; `joining` until a join address answered
   * (with the attempts so far and the last error); `joined` after.
   */
  join: JoinStatus
}

export interface JoinStatus {
  state: 'none' | 'joining' | 'joined'
  addresses: string[]
  attempts: number
  lastError?: string
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
  /** The matching entries, oldest first; the newest `limit` of them when more matched. */
  alerts: AlertEntry[]
  /** How many entries matched the filters before `limit` was applied. */
  matched: number
}

/**
 * GET /v1/health and `healthmon health --json`: the node's aggregated health (src/api/API.md).
 * - `unhealthy`: this node itself is unhealthy (its Lifeguard awareness score reached
 *   `awarenessUnhealthyAt`: its own timers run late, it withholds dead verdicts, and its view of
 *   the others cannot be trusted);
 * - `degraded`: this node is degraded (awareness above 0), or any peer is suspect, dead or
 *   missing (an active alert);
 * - `healthy`: otherwise. Peers that left gracefully do not count.
 * Answered 200, 429 and 503 respectively, so load balancers and scripts need only the status.
 */
export interface HealthReport {
  status: NodeStatus
  /** One line saying why, e.g. "4 of 5 peers alive; node-d dead". */
  summary: string
  node: { id: string; name: string; status: NodeStatus; awareness: number; awarenessUnhealthyAt: number; awarenessMax: number }
  /** Peers by state, and how many are known in all. */
  peers: Record<PeerState, number> & { total: number }
  /** The peers needing attention (suspect, dead, missing), worst first; at most 100. */
  problems: { id: string; name: string; state: PeerState; since: string }[]
  checkedAt: string
}

/** One entry of the event log, as GET /v1/events and the stream carry it. */
export interface EventEntry {
  /** Increases by one per event; restarts at 1 when the agent restarts. */
  id: number
  type: HealthEventName
  /** When it happened (ISO 8601). */
  at: string
  data: PeerEvent | AlertEvent
}

/** GET /v1/events?after=<id>: the events after `after`, oldest first. */
export interface EventsResponse {
  events: EventEntry[]
  /** The oldest id still held: `after` + 1 < firstId means events were dropped before you read them. */
  firstId: number
  /** The newest id; read on with `?after=<the last id you got>`. Below your `after`: the agent restarted. */
  lastId: number
}

/** A line of GET /v1/events/stream: an event, an idle heartbeat, or a final error before the stream ends. */
export type StreamLine =
  | EventEntry
  | { type: 'heartbeat'; at: string; lastId: number }
  | { type: 'error'; at: string; error: { code: string; message: string } }

/**
 * The socket API's paths, so server and clients cannot drift apart. A peer is addressed by id or
 * by name, percent-encoded as one path segment.
 */
export const API_PATHS = {
  view: '/v1/view',
  self: '/v1/self',
  health: '/v1/health',
  alerts: '/v1/alerts',
  events: '/v1/events',
  eventStream: '/v1/events/stream',
  metrics: '/metrics',
  checks: '/v1/checks',
  peer: (idOrName: string): string => `/v1/peers/${encodeURIComponent(idOrName)}`,
  checkIn: (id: string, status: CheckInStatus): string => `/v1/checks/${encodeURIComponent(id)}/${status}`
} as const

/** Appends a query string built from the defined values (a client-side helper). */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') query.set(key, String(value))
  const text = query.toString()
  return text === '' ? path : `${path}?${text}`
}
