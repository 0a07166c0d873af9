import type { ClusterView, JoinStatus, PeerDetail, PeerTrend, PeerView, SelfView } from '../domain/index.ts'
import type { NodeHealthReport } from '../health/node-health.ts'
import type { NodeStatus } from '../transport/codec.ts'
import type { LocalView } from '../view/local-view.ts'

/**
 * The read side of a ClusterNode: the views it answers queries with (GET /v1/self, /v1/view,
 * /v1/peers/{id}), built from what the node's owners hold. Pure functions of their inputs.
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
