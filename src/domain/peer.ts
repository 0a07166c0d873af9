/**
 * What this node holds about a peer: its state, its view row (the local view's answer) and its
 * detail with history. The socket API serializes these as they are (src/api/protocol.ts
 * re-exports them); they are a public contract (DESIGN.md §3): extend, never rename or remove.
 */
import type { NodeStatus } from '../transport/codec.ts'
import type { PeerTrend } from './trend.ts'

/** `missing`: registered as an expected member but never heard from. */
export type PeerState = 'alive' | 'suspect' | 'dead' | 'left' | 'missing'
export const PEER_STATES: readonly PeerState[] = ['alive', 'suspect', 'dead', 'left', 'missing']

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
