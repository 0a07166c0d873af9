import type { ClusterView, JoinStatus, PeerDetail, PeerTrend, PeerView, SelfView } from '../domain/index.ts'
import type { NodeHealthReport } from '../health/node-health.ts'
import type { Joiner } from '../membership/joiner.ts'
import type { Clock } from '../runtime/clock.ts'
import type { HealthSummary, NodeStatus } from '../transport/codec.ts'
import type { Transport } from '../transport/types.ts'
import type { LocalView } from '../view/local-view.ts'
import type { Identity } from './identity.ts'
import type { SelfAwareness } from './self-awareness.ts'

/**
 * The read side of a ClusterNode: the views it answers queries with (GET /v1/self, /v1/view,
 * /v1/peers/{id}), built by pure functions from what the node's owners hold; NodeQueries gathers
 * those facts from the owners.
 */
export interface SelfFacts {
  id: string
  name: string
  cluster: string
  incarnation: number
  addrs: string[]
  awareness: number
  startedAtMs: number
  nowMs: number
  version: string
  join: JoinStatus
  health: NodeHealthReport
}

export function selfViewOf(f: SelfFacts): SelfView {
  return {
    id: f.id,
    name: f.name,
    cluster: f.cluster,
    status: f.health.summary.status,
    incarnation: f.incarnation,
    addrs: f.addrs,
    awareness: f.awareness,
    startedAt: new Date(f.startedAtMs).toISOString(),
    uptimeMs: Math.round(f.nowMs - f.startedAtMs),
    version: f.version,
    pid: process.pid,
    join: f.join,
    reasons: f.health.reasons,
    resources: f.health.resources,
    checksFailing: f.health.summary.checksFailing,
    failingChecks: f.health.summary.failingChecks ?? []
  }
}

/** The --join list's progress; `none` without a list or before the joiner exists. */
export function joinStatusOf(addresses: readonly string[], joiner: { status(): Omit<JoinStatus, 'addresses'> } | undefined): JoinStatus {
  const list = [...addresses]
  if (joiner === undefined || list.length === 0) return { state: 'none', addresses: list, attempts: 0 }
  return { ...joiner.status(), addresses: list }
}

/** Peers by name, then id: the order views and the CLI show them in. */
export function byNameThenId(a: PeerView, b: PeerView): number {
  return a.name.localeCompare(b.name) || a.id.localeCompare(b.id)
}

export function clusterViewOf(self: SelfView, peers: PeerView[], nowMs: number): ClusterView {
  return { self, peers: peers.sort(byNameThenId), generatedAt: new Date(nowMs).toISOString() }
}

/** A peer by id, else by name, with its history and trend; undefined when unknown. */
export function peerDetailOf(view: LocalView, idOrName: string, trend: ((peerId: string) => PeerTrend | null) | undefined): PeerDetail | undefined {
  const peers = view.peers()
  const peer = peers.find((p) => p.id === idOrName) ?? peers.find((p) => p.name === idOrName)
  if (peer === undefined) return undefined
  const history = view.history(peer.id).map((h) => ({ at: new Date(h.atMs).toISOString(), from: h.from, to: h.to, reason: h.reason }))
  return { ...peer, history, trend: trend?.(peer.id) ?? null }
}

/** Node health when no provider is wired: Lifeguard awareness's status alone, no resources. */
export function awarenessOnlyReport(status: NodeStatus): NodeHealthReport {
  return {
    summary: { status, checksFailing: 0 },
    reasons: status === 'healthy' ? [] : [`local health awareness: this node is ${status} (its own timers run late)`],
    resources: null
  }
}

export interface NodeQueriesDeps {
  identity: Identity
  transport: Pick<Transport, 'listenAddresses'>
  clock: Clock
  version: string | undefined
  awareness: SelfAwareness
  /** When the node started, and its --join list's joiner once started (NodeLifecycle). */
  lifecycle: { readonly startedAtMs: number; readonly joiner: Joiner | undefined }
  joinAddresses: readonly string[]
  view: LocalView
  peerTrend: ((peerId: string) => PeerTrend | null) | undefined
  /** Node health from the awareness status (ClusterNodeDeps.health); absent: awareness alone. */
  health: ((awareness: NodeStatus) => NodeHealthReport) | undefined
}

/** The queries a ClusterNode answers, from the facts its owners hold now. */
export class NodeQueries {
  private readonly deps: NodeQueriesDeps

  constructor(deps: NodeQueriesDeps) {
    this.deps = deps
  }

  selfView(): SelfView {
    const { identity, transport, clock, awareness, lifecycle } = this.deps
    return selfViewOf({
      id: identity.id, name: identity.name, cluster: identity.cluster, incarnation: identity.incarnation,
      addrs: transport.listenAddresses(), awareness: awareness.score, startedAtMs: lifecycle.startedAtMs, nowMs: clock.now(),
      version: this.deps.version ?? '0.0.0', join: this.joinStatus(), health: this.healthReport()
    })
  }

  /** Where joining stands (none, joining, joined): selfView's `join`, without building the rest of it. */
  joinStatus(): JoinStatus {
    return joinStatusOf(this.deps.joinAddresses, this.deps.lifecycle.joiner)
  }

  /** The view's peers, by name then id (clusterView's `peers`, without this node's own view). */
  peers(): PeerView[] {
    return this.deps.view.peers().sort(byNameThenId)
  }

  clusterView(): ClusterView {
    const peers = this.deps.view.peers()
    return clusterViewOf(this.selfView(), peers, this.deps.clock.now())
  }

  peerDetail(idOrName: string): PeerDetail | undefined {
    return peerDetailOf(this.deps.view, idOrName, this.deps.peerTrend)
  }

  /** This node's own health, carried in its heartbeats. */
  health(): HealthSummary {
    return this.healthReport().summary
  }

  /** Lifeguard awareness's status, combined with node health's checks and resources when a provider is wired. */
  healthReport(): NodeHealthReport {
    const status = this.deps.awareness.status()
    return this.deps.health?.(status) ?? awarenessOnlyReport(status)
  }
}
