/**
 * `healthmon status`: this node's view of the cluster, from GET /v1/view. One line about the node
 * itself, one about the active alerts (peers suspect, dead or missing), then a table of peers,
 * the ones needing attention first.
 */
import { Command } from 'commander'
import { API_PATHS, type ClusterView, type PeerView } from '../../api/protocol.ts'
import {
  colorEnabled, compareText, formatDuration, formatLastHeard, formatPhi, paint, renderTable, sanitize, shortId,
  stateSeverity, stateStyle, statusStyle, type Column
} from '../format.ts'
import { formatFailing, formatLoad, formatPercent, formatResources } from '../health-format.ts'
import { fetchFromAgent, printJson, withClientOptions, type ClientOptions } from './common.ts'

const PEER_COLUMNS: readonly Column<PeerView>[] = [
  { header: 'NAME', value: (p) => p.name },
  { header: 'ID', value: (p) => shortId(p.id) },
  { header: 'STATE', value: (p) => p.state, style: (p) => stateStyle(p.state) },
  { header: 'PHI', value: (p) => formatPhi(p.phi), align: 'right' },
  { header: 'LAST HEARD', value: (p) => formatLastHeard(p.lastHeardMs), align: 'right' },
  { header: 'OBSERVERS', value: (p) => `${p.observers.agree}/${p.observers.total}`, align: 'right' },
  { header: 'STATUS', value: (p) => p.status, style: (p) => statusStyle(p.status) },
  { header: 'CPU', value: (p) => formatPercent(p.summary?.cpuPercent), align: 'right' },
  { header: 'MEM', value: (p) => formatPercent(p.summary?.memoryPercent), align: 'right' },
  { header: 'DISK', value: (p) => formatPercent(p.summary?.diskPercent), align: 'right' },
  { header: 'LOAD/CORE', value: (p) => formatLoad(p.summary?.loadPerCore), align: 'right' },
  { header: 'FAILING CHECKS', value: (p) => formatFailing(p.summary) },
  { header: 'FAILURES', value: (p) => String(p.failureCount), align: 'right' }
]

/** Peers by state severity (dead, missing, suspect, alive, left), then name, then id. */
export function sortPeers(peers: readonly PeerView[]): PeerView[] {
  return [...peers].sort((a, b) => stateSeverity(a.state) - stateSeverity(b.state) || compareText(a.name, b.name) || compareText(a.id, b.id))
}

/** Peers whose state is an active alert (dead, missing, suspect), as in GET /v1/health. */
const ALERTING = new Set(['dead', 'missing', 'suspect'])
const NAMED_MAX = 5

/** "active alerts: 2 (node-d dead, node-c suspect)" or "no active alerts". */
export function activeAlerts(peers: readonly PeerView[], color: boolean): string {
  const alerting = sortPeers(peers.filter((p) => ALERTING.has(p.state)))
  if (alerting.length === 0) return `${paint('no active alerts', 'green', color)}`
  const named = alerting.slice(0, NAMED_MAX).map((p) => `${sanitize(p.name)} ${paint(p.state, stateStyle(p.state), color)}`)
  if (alerting.length > NAMED_MAX) named.push(`${alerting.length - NAMED_MAX} more`)
  return `${paint(`active alerts: ${alerting.length}`, 'bold', color)} (${named.join(', ')})`
}

export function renderStatus(view: ClusterView, color: boolean): string {
  const self = view.self
  const header =
    `${paint(self.name, 'bold', color)} (${shortId(self.id)}) in cluster "${sanitize(self.cluster)}": ` +
    `${paint(self.status, statusStyle(self.status), color)}, incarnation ${self.incarnation}, ` +
    `awareness ${self.awareness}, up ${formatDuration(self.uptimeMs)}\n` +
    `${formatResources(self.resources ?? null)}; failing checks: ${formatFailing({ checksFailing: self.checksFailing ?? 0, failingChecks: self.failingChecks ?? [] })}` +
    ((self.reasons ?? []).length > 0 ? `\n${self.status}: ${(self.reasons ?? []).map(sanitize).join('; ')}` : '')
  const joining = joiningLine(view, color)
  if (view.peers.length === 0) return `${header}\n${joining}\nno peers known yet\n`
  return `${header}\n${joining}${activeAlerts(view.peers, color)}\n\n${renderTable(sortPeers(view.peers), PEER_COLUMNS, color)}`
}

/**
 * While no --join address has answered: "joining 127.0.0.1:7946: 4 attempts, last error: ...",
 * so a node that is alone because its seeds are unreachable says so instead of showing an empty,
 * healthy-looking view.
 */
export function joiningLine(view: ClusterView, color: boolean): string {
  const join = view.self.join
  if (join === undefined || join.state !== 'joining') return ''
  const attempts = `${join.attempts} attempt${join.attempts === 1 ? '' : 's'}`
  const error = join.lastError === undefined ? '' : `, last error: ${join.lastError}`
  return `${paint(`joining ${join.addresses.join(', ')}: ${attempts}${error}`, 'yellow', color)}\n`
}

export function statusCommand(): Command {
  return withClientOptions(new Command('status'))
    .description("show this node's view of the cluster: itself, then every peer's state")
    .addHelpText('after', `
Active alerts are the peers currently dead, missing or suspect. Peers are listed
by state (dead, missing, suspect, alive, left), then by name.
With --json, prints exactly the object of GET /v1/view.

Exit status: 0 whenever the agent answered with a view, whatever the cluster's
health (read the STATE column or the JSON); 1 when the agent could not be
reached or answered with an error; 2 on a usage error.`)
    .action(async (options: ClientOptions) => {
      const view = await fetchFromAgent<ClusterView>(options, API_PATHS.view)
      if (options.json === true) printJson(view)
      else process.stdout.write(renderStatus(view, colorEnabled()))
    })
}
