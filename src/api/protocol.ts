/**
 * The socket API's shapes, shared by the server (src/api/server.ts) and every client (the CLI,
 * scripts). These are a public contract (DESIGN.md §3): extend, never rename or remove.
 */
import type { AlertEvent, HealthEventName, PeerEvent } from '../events.ts'
import type { NodeStatus } from '../transport/codec.ts'
import type { CheckDetail, CheckInStatus, ChecksResponse } from '../checks/check-view.ts'
import type { PerfItem } from '../checks/perfdata.ts'
import type { CheckStatus } from '../health/types.ts'
import type { PeerState, Severity } from '../domain/index.ts'

export type { NodeStatus, HealthEventName, PeerEvent, AlertEvent, CheckDetail, CheckInStatus, ChecksResponse, CheckStatus, PerfItem }
/** The domain types (src/domain/), re-exported: clients import every shape from here. */
export {
  PEER_STATES, SEVERITIES, type PeerState, type Severity, type PeerView, type PeerSummary, type PeerHistoryEntry, type PeerDetail,
  type TrendPoint, type TrendHeading, type PeerTrend, type DiskUsage, type SelfResources, type SelfView, type JoinStatus, type ClusterView, type AlertEntry
} from '../domain/index.ts'

/** Every error body: `{"error":{"code","message"}}`. */
export interface ErrorBody {
  error: { code: string; message: string }
}

/** GET /v1/metrics/history: one metric's series at one step. */
export interface HistoryResponse {
  name: string
  unit: string
  /** The range asked for (ISO 8601). */
  since: string
  until: string
  /** Width of each returned point, ms. */
  stepMs: number
  /** Resolution of the stored tier the points were read from, ms (10 s, 1 min or 1 h). */
  resolutionMs: number
  series: HistorySeries[]
}

export interface HistorySeries {
  labels: Record<string, string>
  /** Oldest first; buckets without data are absent. */
  points: HistoryPoint[]
}

export interface HistoryPoint {
  /** Start of the bucket (ISO 8601). */
  at: string
  min: number
  max: number
  /** sum / count. */
  avg: number
  sum: number
  count: number
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
  node: { id: string; name: string; status: NodeStatus; awareness: number; awarenessUnhealthyAt: number; awarenessMax: number; reasons: string[] }
  /** Peers by state, and how many are known in all. */
  peers: Record<PeerState, number> & { total: number }
  /** The peers needing attention (suspect, dead, missing), worst first; at most 100. */
  problems: { id: string; name: string; state: PeerState; since: string }[]
  /**
   * The firing alerts that are neither silenced nor inhibited, worst first (at most 100): what
   * the status derives from (critical: unhealthy, warning: degraded). Absent when alerting is
   * not wired (an embedding without it), where the status derives from peer states.
   */
  alerts?: { alertname: string; severity: Severity; summary: string; peer?: string }[]
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
  alertHistory: '/v1/alerts/history',
  silences: '/v1/silences',
  silence: (id: string): string => `/v1/silences/${encodeURIComponent(id)}`,
  forceLeave: (idOrName: string): string => `/v1/members/${encodeURIComponent(idOrName)}/force-leave`,
  events: '/v1/events',
  eventStream: '/v1/events/stream',
  metrics: '/metrics',
  checks: '/v1/checks',
  metricsHistory: '/v1/metrics/history',
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

export type { AlertView, AlertsResponse, AlertHistoryResponse, AlertHistoryEntry, SilenceView, SilencesResponse, SilenceRequest, ForceLeaveResponse, AlertStateName } from './alert-protocol.ts'
