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
  /**
   * The peer's own health summary from its latest heartbeat: null when this node does not
   * observe the peer (heartbeats go to its observers only) or has not heard one yet.
   */
  summary: PeerSummary | null
}

/** What a heartbeat says of its sender: quantised figures (0.1 %, 0.01 load) and its failing checks. */
export interface PeerSummary {
  /** CPU busy share, percent of all CPUs; null when not measured. */
  cpuPercent: number | null
  /** Memory used (total - MemAvailable), percent. */
  memoryPercent: number | null
  /** The fullest watched file system: the larger of its space and inode use, percent. */
  diskPercent: number | null
  /** load1 / CPUs online. */
  loadPerCore: number | null
  checksFailing: number
  /** Ids of the failing checks, worst first; at most 20, each cut to 16 characters. */
  failingChecks: string[]
}

/** One file system this node watches. */
export interface DiskUsage {
  mountpoint: string
  sizeBytes: number
  availBytes: number
  /** 100 - avail / size, percent. */
  usedPercent: number
  inodesUsedPercent: number
}

/** This node's latest resource reading (GET /v1/self). Each figure is null when not measured. */
export interface SelfResources {
  /** When it was taken (ISO 8601). */
  sampledAt: string
  cpuPercent: number | null
  /** CPU time by mode (user, nice, system, idle, iowait, irq, softirq, steal) over the last interval, percent; null on the first reading. */
  cpuPercentByMode: Record<string, number> | null
  memoryPercent: number | null
  memoryAvailableBytes: number | null
  memoryTotalBytes: number | null
  swapPercent: number | null
  load1: number | null
  load5: number | null
  load15: number | null
  cpus: number
  loadPerCore: number | null
  /** The fullest watched file system's use (space or inodes, whichever is higher), percent. */
  diskPercent: number | null
  disks: DiskUsage[]
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
  /** Why `status` is what it is, worst first (checks, resource thresholds, awareness); empty when healthy. */
  reasons: string[]
  /** The latest resource reading; null before the first sample (or when resources are not measured). */
  resources: SelfResources | null
  checksFailing: number
  /** Ids of the checks not passing, worst first. */
  failingChecks: string[]
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

/** One entry of the node's peer-state alert log (the embedding API's checkHealth; the event log's alert:raised). */
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
  /** The peer's recent summaries (a short in-memory trend) and where they are heading; null when none were heard. */
  trend: PeerTrend | null
}

/** One point of a peer's trend. */
export interface TrendPoint {
  at: string
  cpuPercent: number | null
  memoryPercent: number | null
  diskPercent: number | null
  loadPerCore: number | null
}

/** Least-squares slope of a figure over the trend window, per minute; null with fewer than two points. */
export interface TrendHeading {
  last: number | null
  perMinute: number | null
}

export interface PeerTrend {
  /** Oldest first, at most one per sample interval. */
  points: TrendPoint[]
  heading: { cpuPercent: TrendHeading; memoryPercent: TrendHeading; diskPercent: TrendHeading; loadPerCore: TrendHeading }
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
