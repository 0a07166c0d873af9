/**
 * The agent's Prometheus metrics (GET /metrics on the socket): its own, named `healthmon_*` in
 * base units (seconds, counts), plus prom-client's standard `process_*` and `nodejs_*` sets. One
 * Registry per agent (never prom-client's global one), so several agents embedded in one process
 * keep their numbers apart.
 *
 * Two kinds of source:
 * - measurements taken as they happen, through the node's NodeInstruments hook: the phi at which
 *   each heartbeat arrived, and the silence after which an observed peer was suspected or
 *   declared dead (detection latency);
 * - counters and gauges the node and the API server already keep, read at scrape time (see
 *   sourced.ts), so measuring costs the hot paths nothing.
 * Every label has a fixed set of values (peer state, drop reason, route, status class,
 * detection stage): no peer ids or names in labels, so the series count is bounded whatever
 * the cluster size. The full list, with types and help, is in src/api/API.md.
 */
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import { CLIENT_ERROR_KINDS, type ApiServerStats } from '../api/stats.ts'
import { ERROR_CODES, type ErrorCode } from '../errors.ts'
import type { Libp2pTransportStats } from '../transport/libp2p-transport.ts'
import { GOSSIPSUB_INVALID_REASONS, GOSSIPSUB_RPC_ERRORS } from '../transport/gossipsub-rejects.ts'
import { API_ROUTE_NAMES, type MetricsExposition } from '../api/routes.ts'
import { PEER_STATES, type ClusterView, type PeerState } from '../domain/index.ts'
import type { NodeInstruments } from '../node/cluster-node.ts'
import type { SupervisorStats } from '../actors/supervisor.ts'
import { NODE_STATUSES } from '../transport/codec.ts'
import { DROP_REASONS, type DropReason } from '../transport/message-validator.ts'
import { RATE_CLASSES, type RateClass } from '../transport/receive-budgets.ts'
import { registerHealthMetrics, type HealthSource } from './health-metrics.ts'
import { TRUST_DROP_REASONS, type TrustDropReason } from '../membership/trust.ts'
import { ALERTING_DROP_REASONS, type AlertingDropReason } from '../node/alerting-gossip.ts'
import { counterFrom, counterOf, gaugeFrom, gaugeOf, type Labels } from './sourced.ts'

/** What the collectors read at scrape time: the parts of a ClusterNode they need. */
export interface NodeSource {
  readonly stats: {
    readonly heartbeatsSent: number
    readonly heartbeatsReceived: number
    readonly verdictsPublished: number
    readonly publishErrors: number
    readonly refutations: number
  }
  readonly antiEntropy: { readonly stats: { readonly syncs: number; readonly syncErrors: number } }
  readonly validator: { readonly dropped: Readonly<Record<DropReason, number>>; readonly rateLimited: Readonly<Record<RateClass, number>>; readonly accepted: number }
  readonly supervisor: { readonly stats: SupervisorStats }
  readonly members: { readonly refused: number }
  readonly membership: { readonly dropped: Readonly<Record<TrustDropReason, number>> }
  /** Cluster-wide alerting gossip (marks, silences); absent in sources that predate it. */
  readonly alerting?: {
    readonly dropped: Readonly<Record<AlertingDropReason, number>>
    readonly stats: { readonly messagesSent: number; readonly updatesReceived: number; readonly listenerErrors: number }
  }
  readonly alertLog: { readonly dropped: number }
  readonly eventLog: { readonly lastId: number }
  /** The node's event emitter: listener calls that threw (caught, logged). */
  readonly events: { readonly listenerErrors: number }
  /** Observer reports dropped at the report store's bounds. */
  readonly reports: { readonly dropped: number }
  clusterView(): ClusterView
}

export interface MetricsSources {
  node: NodeSource
  /** The socket API's counters, when it is serving. */
  api(): ApiServerStats | undefined
  /** The read-only HTTP listener's counters (httpListen), when it is serving. */
  http?(): ApiServerStats | undefined
  /** Node health (resources, validation, history), when the agent measures it. */
  health?: HealthSource
  /** The libp2p transport's drop counters (oversize, validator and listener errors, gossipsub's own rejects). */
  transport?: () => Libp2pTransportStats | undefined
}

/** Phi is unitless: -log10 of the probability that a healthy peer is this late; 8 suspects. */
export const PHI_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 21]
/** Detection latency in seconds: from the last heartbeat heard to suspect, and to dead. */
export const DETECTION_BUCKETS_SECONDS = [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 30, 60]

export interface AgentMetricsOptions {
  /** Constant labels of healthmon_info: who is being measured. */
  info: { cluster: string; name: string; version: string }
}

export class AgentMetrics {
  readonly registry = new Registry()
  /** Hand to ClusterNodeDeps.instruments. */
  readonly instruments: NodeInstruments
  private sources: MetricsSources | undefined
  /** One view per scrape, shared by the collectors that need it. */
  private scrapeView: ClusterView | undefined

  constructor(options: AgentMetricsOptions) {
    const r = this.registry
    // The event-loop lag histogram samples with a libuv timer; at prom-client's default 10 ms it
    // woke an idle agent 100 times a second (~0.7 % of a core in scripts/bench-detect.ts).
    collectDefaultMetrics({ register: r, prefix: '', eventLoopMonitoringPrecision: 100 })

    const phi = new Histogram({
      name: 'healthmon_heartbeat_arrival_phi',
      help: 'Phi of the failure detector when a heartbeat arrived from an observed peer (unitless; suspicion starts at phiSuspectThreshold, 8 by default)',
      buckets: PHI_BUCKETS,
      registers: [r]
    })
    const detection = new Histogram({
      name: 'healthmon_detection_latency_seconds',
      help: 'Silence since the last heartbeat when this node suspected (stage=suspect) or declared dead (stage=dead) a peer it observes',
      labelNames: ['stage'],
      buckets: DETECTION_BUCKETS_SECONDS,
      registers: [r]
    })
    detection.zero({ stage: 'suspect' })
    detection.zero({ stage: 'dead' })
    this.instruments = {
      heartbeatPhi: (value) => phi.observe(value),
      detection: (stage, silenceMs) => detection.observe({ stage }, silenceMs / 1000)
    }

    const node = (): NodeSource | undefined => this.sources?.node
    const api = (): ApiServerStats | undefined => this.sources?.api()
    const transport = (): Libp2pTransportStats | undefined => this.sources?.transport?.()
    const view = (): ClusterView | undefined => {
      const n = node()
      if (n === undefined) return undefined
      this.scrapeView ??= n.clusterView()
      return this.scrapeView
    }
    const one = (value: number | undefined): [Labels, number][] => value === undefined ? [] : [[{}, value]]

    gaugeFrom(r, 'healthmon_info', 'Constant 1, labelled with the cluster, node name and agent version', ['cluster', 'name', 'version'],
      () => [[{ ...options.info }, 1]])
    gaugeFrom(r, 'healthmon_peers', 'Peers in this node\'s view, by state', ['state'], () => {
      const v = view()
      if (v === undefined) return []
      const counts = Object.fromEntries(PEER_STATES.map((s) => [s, 0])) as Record<PeerState, number>
      for (const p of v.peers) counts[p.state] += 1
      return PEER_STATES.map((state) => [{ state }, counts[state]] as const)
    })
    gaugeFrom(r, 'healthmon_node_status', 'This node\'s own health: 1 for its current status, 0 for the others', ['status'], () => {
      const v = view()
      return v === undefined ? [] : NODE_STATUSES.map((status) => [{ status }, v.self.status === status ? 1 : 0] as const)
    })
    gaugeFrom(r, 'healthmon_awareness_score', 'Lifeguard local health score: 0 is healthy; timeouts are stretched by (1 + score)', [], () => one(view()?.self.awareness))
    gaugeFrom(r, 'healthmon_incarnation', 'This node\'s incarnation number (rises on restart and on refuting a suspicion)', [], () => one(view()?.self.incarnation))

    const stats = <K extends keyof NodeSource['stats']>(key: K) => () => node()?.stats[key] ?? 0
    counterOf(r, 'healthmon_heartbeats_sent_total', 'Heartbeats this node published', stats('heartbeatsSent'))
    counterOf(r, 'healthmon_heartbeats_received_total', 'Heartbeats received from peers this node observes (after validation)', stats('heartbeatsReceived'))
    counterOf(r, 'healthmon_gossip_messages_accepted_total', 'Gossip messages (heartbeats, joins, leaves, verdicts, alerting, force-leaves) that passed validation', () => node()?.validator.accepted ?? 0)
    counterFrom(r, 'healthmon_gossip_messages_rejected_total', 'Gossip messages dropped by the validator, by reason', ['reason'], () => {
      const dropped = node()?.validator.dropped
      // The libp2p transport refuses an oversize payload before the validator sees it: the same reason.
      const oversize = transport()?.oversizeRejected ?? 0
      return DROP_REASONS.map((reason) => [{ reason }, (dropped?.[reason] ?? 0) + (reason === 'too-large' ? oversize : 0)] as const)
    })
    counterFrom(r, 'healthmon_gossip_rate_limited_total', 'Gossip messages dropped past their sender\'s receive budget (the rate-limited reason above), by class: heartbeat, membership (verdicts, records, joins, leaves), alerting (marks, silences, force-leaves)', ['class'], () => {
      const limited = node()?.validator.rateLimited
      return RATE_CLASSES.map((c) => [{ class: c }, limited?.[c] ?? 0] as const)
    })
    counterFrom(r, 'healthmon_gossipsub_messages_invalid_total', 'Gossip messages gossipsub itself dropped before validation (invalid_signature, invalid_seqno, invalid_peerid... under StrictSign), or after our validator said reject/ignore; by reason', ['reason'], () => {
      const invalid = transport()?.gossipsub.invalid
      return GOSSIPSUB_INVALID_REASONS.map((reason) => [{ reason }, invalid?.[reason] ?? 0] as const)
    })
    gaugeFrom(r, 'healthmon_gossipsub_peers_penalised', 'Connected peers whose gossipsub score is below a threshold now for forwarding invalid messages: below gossip (no IHAVE/IWANT with them), below graylist (every RPC from them ignored)', ['below'], () => {
      const t = transport()
      return t === undefined ? [] : [[{ below: 'gossip' }, t.peersBelowGossipThreshold], [{ below: 'graylist' }, t.peersGraylisted]]
    })
    counterFrom(r, 'healthmon_gossipsub_rpc_errors_total', 'Gossipsub RPC frames that failed to decode (recv, data) and inbound streams that broke (read_stream)', ['kind'], () => {
      const errors = transport()?.gossipsub.rpcErrors
      return GOSSIPSUB_RPC_ERRORS.map((kind) => [{ kind }, errors?.[kind] ?? 0] as const)
    })
    counterOf(r, 'healthmon_gossip_validator_errors_total', 'Gossip validator calls that threw (a bug; the message was ignored, its sender not penalised)', () => transport()?.validatorErrors ?? 0)
    counterFrom(r, 'healthmon_listener_errors_total', 'Listener calls that threw, caught and logged: transport message and connection listeners (source=transport), node event subscribers (source=events)', ['source'], () => [
      [{ source: 'transport' }, transport()?.listenerErrors ?? 0],
      [{ source: 'events' }, node()?.events.listenerErrors ?? 0]
    ])
    counterOf(r, 'healthmon_reports_dropped_total', 'Observer verdict reports dropped at the report store\'s bounds (membersMax subjects, observers per subject)', () => node()?.reports.dropped ?? 0)
    counterFrom(r, 'healthmon_membership_rejected_total', 'Membership inputs (announcements, digest rows, verdicts, refutations, force-leaves, alerting senders) refused by the trust rules, by reason', ['reason'], () => {
      const dropped = node()?.membership.dropped
      return TRUST_DROP_REASONS.map((reason) => [{ reason }, dropped?.[reason] ?? 0] as const)
    })
    counterFrom(r, 'healthmon_alerting_gossip_messages_total', 'Cluster-wide alerting messages (notification marks, silences) sent, and updates received from live members', ['direction'], () => [
      [{ direction: 'sent' }, node()?.alerting?.stats.messagesSent ?? 0],
      [{ direction: 'received' }, node()?.alerting?.stats.updatesReceived ?? 0]
    ])
    counterFrom(r, 'healthmon_alerting_gossip_dropped_total', 'Alerting gossip entries dropped, by reason: received silences that failed validation, silences too large to send, a full send queue, marks not authored by this node', ['reason'], () => {
      const dropped = node()?.alerting?.dropped
      return ALERTING_DROP_REASONS.map((reason) => [{ reason }, dropped?.[reason] ?? 0] as const)
    })
    counterOf(r, 'healthmon_alerting_listener_errors_total', 'Alerting update listeners (the alerting runtime) that threw; the update went on to the others', () => node()?.alerting?.stats.listenerErrors ?? 0)
    counterOf(r, 'healthmon_verdicts_published_total', 'Verdict changes (alive, suspect, dead) this node published about peers it observes', stats('verdictsPublished'))
    counterOf(r, 'healthmon_publish_errors_total', 'Gossip publishes that failed', stats('publishErrors'))
    counterFrom(r, 'healthmon_anti_entropy_exchanges_total', 'Anti-entropy member exchanges, by result', ['result'], () => [
      [{ result: 'ok' }, node()?.antiEntropy.stats.syncs ?? 0],
      [{ result: 'error' }, node()?.antiEntropy.stats.syncErrors ?? 0]
    ])
    counterOf(r, 'healthmon_refutations_total', 'Suspicions about this node that it refuted with a higher incarnation', stats('refutations'))
    counterOf(r, 'healthmon_mailbox_dropped_messages_total', 'Messages dropped because an actor mailbox was full', () => node()?.supervisor.stats.dropped ?? 0)
    counterFrom(r, 'healthmon_actor_restarts_total', 'Actors restarted by their supervisor: after a failure within the restart budget (kind=failure), or after the cooldown of one stopped past it (kind=cooldown)', ['kind'], () => [
      [{ kind: 'failure' }, node()?.supervisor.stats.restarts ?? 0],
      [{ kind: 'cooldown' }, node()?.supervisor.stats.revived ?? 0]
    ])
    counterOf(r, 'healthmon_actors_stopped_total', 'Actors stopped for failing past their restart budget (each is restarted after a cooldown of 30 s doubling to 5 min)', () => node()?.supervisor.stats.stopped ?? 0)
    gaugeOf(r, 'healthmon_actors_stopped', 'Actors stopped now past their restart budget, waiting for their cooldown: their peers go unobserved by this node meanwhile', () => node()?.supervisor.stats.parked ?? 0)
    gaugeOf(r, 'healthmon_actors', 'Actors running (one per observed peer)', () => node()?.supervisor.stats.actors ?? 0)
    counterOf(r, 'healthmon_members_refused_total', 'Members not tracked because membersMax was reached', () => node()?.members.refused ?? 0)
    counterOf(r, 'healthmon_alert_log_dropped_total', 'Alert log entries dropped to stay within alertLogMax', () => node()?.alertLog.dropped ?? 0)
    counterOf(r, 'healthmon_events_total', 'Events logged (peer state changes and alerts); the newest event id', () => node()?.eventLog.lastId ?? 0)

    counterFrom(r, 'healthmon_api_requests_total', 'Socket API requests answered, by route and status class', ['route', 'status_class'], () => requestCounts(api()))
    registerHealthMetrics(r, () => this.sources?.health)
    gaugeOf(r, 'healthmon_api_connections', 'Socket API connections open', () => api()?.connectionsActive ?? 0)
    counterOf(r, 'healthmon_api_connections_rejected_total', 'Socket API connections over the limit, answered 429 or closed', () => {
      const s = api()
      return s === undefined ? 0 : s.connectionsRejected + s.connectionsDropped
    })
    counterOf(r, 'healthmon_api_client_errors_total', 'Socket API connections cut for a malformed request or a timeout', () => api()?.clientErrors ?? 0)
    counterFrom(r, 'healthmon_api_client_errors_by_kind_total', 'Socket API connections cut by the HTTP parser, by kind: timeout (408, slow clients), headers_too_large (431), malformed (400), reset', ['kind'], () => {
      const kinds = api()?.clientErrorsByKind
      return CLIENT_ERROR_KINDS.map((kind) => [{ kind }, kinds?.[kind] ?? 0] as const)
    })
    counterFrom(r, 'healthmon_api_errors_total', 'Socket API error answers by code (src/ERRORS.md): ADMIN_SOCKET_REQUIRED, PAYLOAD_TOO_LARGE, TOO_MANY_REQUESTS, BAD_REQUEST...', ['code'], () => {
      const codes = api()?.errorsByCode
      return (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => [{ code }, codes?.[code] ?? 0] as const)
    })
    gaugeOf(r, 'healthmon_api_event_streams', 'Event stream clients connected', () => api()?.streamsActive ?? 0)
    counterOf(r, 'healthmon_api_event_streams_dropped_total', 'Event stream clients disconnected for reading too slowly', () => api()?.streamsDropped ?? 0)
    // The HTTP listener's own counters: the same server, its own connections (src/api/http-listener.ts).
    const http = (): ApiServerStats | undefined => this.sources?.http?.()
    counterFrom(r, 'healthmon_http_requests_total', 'HTTP listener requests answered, by route and status class (dashboard files: other)', ['route', 'status_class'], () => requestCounts(http()))
    gaugeOf(r, 'healthmon_http_connections', 'HTTP listener connections open', () => http()?.connectionsActive ?? 0)
    counterOf(r, 'healthmon_http_connections_rejected_total', 'HTTP listener connections over the limit, answered 429 or closed', () => {
      const s = http()
      return s === undefined ? 0 : s.connectionsRejected + s.connectionsDropped
    })
  }

  /** Connects the collectors to the running node and API (before the first scrape). */
  attach(sources: MetricsSources): void {
    this.sources = sources
  }

  /** The exposition for GET /metrics, in the Prometheus text format 0.0.4. */
  async scrape(): Promise<MetricsExposition> {
    this.scrapeView = undefined
    try {
      return { contentType: this.registry.contentType, text: await this.registry.metrics() }
    } finally {
      this.scrapeView = undefined
    }
  }
}

/** Requests by route and status class, every combination present (0 when not serving). */
function requestCounts(stats: ApiServerStats | undefined): [Labels, number][] {
  const out: [Labels, number][] = []
  for (const route of API_ROUTE_NAMES) {
    for (const statusClass of ['2xx', '4xx', '5xx'] as const) out.push([{ route, status_class: statusClass }, stats?.requests[route][statusClass] ?? 0])
  }
  return out
}
