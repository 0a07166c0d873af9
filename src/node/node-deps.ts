import type { Scheduler } from '../actors/actor.ts'
import type { PeerTrend } from '../domain/index.ts'
import type { HealthEventEmitter } from '../events.ts'
import type { NodeHealthReport } from '../health/node-health.ts'
import type { Clock } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'
import type { Random } from '../runtime/random.ts'
import type { HealthSummary, NodeStatus } from '../transport/codec.ts'
import type { Transport } from '../transport/types.ts'
import type { NodeOptions } from './options.ts'

/**
 * What a ClusterNode is built from: its transport, time, randomness and options, and the hooks
 * of the agent that embeds it (persisted incarnation, measurements, node health, peer trends).
 */
export interface ClusterNodeDeps {
  transport: Transport
  clock: Clock
  random: Random
  logger: Logger
  options: NodeOptions
  /** Incarnation to start with (the agent persists a counter and passes stored + 1). */
  incarnation: number
  /** Persists a raised incarnation (refutation) so a restart starts above it. */
  persistIncarnation?: (incarnation: number) => void
  version?: string
  /** Measurement hooks (the agent feeds Prometheus histograms from them). */
  instruments?: NodeInstruments
  /** Where events are emitted; the embedding API passes its own so listeners can be added before start(). */
  events?: HealthEventEmitter
  /**
   * How the node's actors start processing their mailboxes (default queueMicrotask). The
   * simulator passes a synchronous run queue that it drains after every virtual timer.
   */
  schedule?: Scheduler
  /**
   * Node health (src/health/node-health.ts): given the Lifeguard awareness status, the summary
   * to carry in heartbeats and show in selfView(). The node carries it; it does not own it.
   * Absent: the status is awareness alone, with no resource figures.
   */
  health?: (awareness: NodeStatus) => NodeHealthReport
  /** Called with each observed peer's health summary as its heartbeat arrives (peer trends). */
  onPeerHealth?: (peerId: string, health: HealthSummary, atMs: number) => void
  /** A peer's recent summaries and where they head (src/health/peer-trends.ts), for peerDetail(). */
  peerTrend?: (peerId: string) => PeerTrend | null
}

export interface NodeInstruments {
  /** The phi at which a heartbeat arrived: how improbable its lateness was. */
  heartbeatPhi(phi: number): void
  /** Silence (ms since the last heartbeat) at which an observed peer was suspected or declared dead. */
  detection(stage: 'suspect' | 'dead', silenceMs: number): void
}
