/**
 * The node's aggregated health for GET /v1/health and `healthmon health`, as a pure function of
 * the local view (the rule is documented on HealthReport in protocol.ts and in src/api/API.md):
 * unhealthy when this node itself is unhealthy; degraded when it is degraded or any peer is
 * suspect, dead or missing; healthy otherwise. Statuses map to HTTP as Consul's health
 * endpoints do: 200, 429, 503.
 */
import type { ClusterView, HealthReport, NodeStatus, PeerState, Severity } from './protocol.ts'

/** Peers listed in `problems`, worst first; the counts always cover all of them. */
export const HEALTH_PROBLEMS_MAX = 100

const HTTP_STATUS: Record<NodeStatus, number> = { healthy: 200, degraded: 429, unhealthy: 503 }

export function httpStatusForHealth(status: NodeStatus): number {
  return HTTP_STATUS[status]
}

/** States that are an active alert about a peer, in the order they are reported. */
const PROBLEM_ORDER: Partial<Record<PeerState, number>> = { dead: 0, missing: 1, suspect: 2 }

/** The awareness scale: its maximum, and the score at which the node is unhealthy (it withholds dead verdicts). */
export interface AwarenessScale {
  max: number
  unhealthyAt: number
}

/** A firing, unmuted alert as health reads it (src/daemon-alerts.ts activeAlerts). */
export type ActiveAlert = NonNullable<HealthReport['alerts']>[number] & { peerId?: string }

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 }

/**
 * With `alerts` (the agent wires them), the status derives from the firing alerts that are
 * neither silenced nor inhibited, as the alerts issue asks: critical makes the node unhealthy
 * (503), warning degraded (429); a dead peer that was silenced or force-left no longer degrades
 * every node for the reap time. Without them (an embedding without alerting), from peer states.
 */
export function assessHealth(view: ClusterView, awareness: AwarenessScale, alerts?: readonly ActiveAlert[]): HealthReport {
  const peers: HealthReport['peers'] = { total: view.peers.length, alive: 0, suspect: 0, dead: 0, left: 0, missing: 0 }
  for (const p of view.peers) peers[p.state] += 1
  const alerted = alerts === undefined ? undefined : new Set(alerts.flatMap((a) => (a.peerId === undefined ? [] : [a.peerId])))
  const problems = view.peers
    .filter((p) => PROBLEM_ORDER[p.state] !== undefined && (alerted === undefined || alerted.has(p.id)))
    .sort((a, b) => PROBLEM_ORDER[a.state]! - PROBLEM_ORDER[b.state]! || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const self = view.self
  const worst = alerts === undefined ? undefined : Math.min(3, ...alerts.map((a) => SEVERITY_RANK[a.severity]))
  const status: NodeStatus =
    self.status === 'unhealthy' || worst === 0 ? 'unhealthy'
    : self.status === 'degraded' || worst === 1 || (alerts === undefined && problems.length > 0) ? 'degraded'
    : 'healthy'

  const reasons: string[] = []
  // The node's own reasons (checks, resource thresholds) beyond awareness, which is already named.
  const own = (self.reasons ?? []).filter((r) => !r.startsWith('local health awareness')).slice(0, 3)
  if (self.status !== 'healthy') reasons.push(`this node is ${self.status} (awareness ${self.awareness}, unhealthy at ${awareness.unhealthyAt})${own.length > 0 ? `: ${own.join(', ')}` : ''}`)
  const counted = peers.total - peers.left
  reasons.push(counted === 0 ? 'no peers known' : `${peers.alive} of ${counted} peers alive`)
  const named = problems.slice(0, 5).map((p) => `${p.name} ${p.state}`)
  if (problems.length > 5) named.push(`${problems.length - 5} more`)
  if (named.length > 0) reasons.push(named.join(', '))
  const sorted = alerts === undefined ? undefined : [...alerts].sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.alertname.localeCompare(b.alertname))
  const selfAlerts = sorted?.filter((a) => a.peerId === undefined && a.severity !== 'info') ?? []
  if (selfAlerts.length > 0) reasons.push(selfAlerts.slice(0, 3).map((a) => a.summary !== '' ? a.summary : a.alertname).join(', ') + (selfAlerts.length > 3 ? `, ${selfAlerts.length - 3} more alerts` : ''))

  return {
    status,
    summary: reasons.join('; '),
    node: { id: self.id, name: self.name, status: self.status, awareness: self.awareness, awarenessUnhealthyAt: awareness.unhealthyAt, awarenessMax: awareness.max, reasons: self.reasons ?? [] },
    peers,
    problems: problems.slice(0, HEALTH_PROBLEMS_MAX).map((p) => ({ id: p.id, name: p.name, state: p.state, since: p.since })),
    ...(sorted === undefined ? {} : { alerts: sorted.slice(0, HEALTH_PROBLEMS_MAX).map(({ alertname, severity, summary, peer }) => ({ alertname, severity, summary, ...(peer === undefined ? {} : { peer }) })) }),
    checkedAt: view.generatedAt
  }
}

/** The `?format=text` answer: one line, e.g. "degraded: 4 of 5 peers alive; node-d dead". */
export function healthLine(report: HealthReport): string {
  return `${report.status}: ${report.summary}`.replace(/[\r\n]+/g, ' ')
}
