/**
 * `healthmon peer <id|name>`: one peer in detail, with its recent state history, from
 * GET /v1/peers/{id-or-name}. An unknown peer is an error (PEER_NOT_FOUND, exit 1).
 */
import { Command } from 'commander'
import { API_PATHS, type PeerDetail } from '../../api/protocol.ts'
import { colorEnabled, formatLastHeard, formatPhi, paint, renderFields, sanitize, stateStyle, statusStyle } from '../format.ts'
import { formatFailing, formatHeading, sparkline } from '../health-format.ts'
import { fetchFromAgent, printJson, withClientOptions, type ClientOptions } from './common.ts'

export function renderPeer(peer: PeerDetail, color: boolean): string {
  const fields: [string, string][] = [
    ['state', `${paint(peer.state, stateStyle(peer.state), color)} since ${sanitize(peer.since)}`],
    ['status', paint(peer.status, statusStyle(peer.status), color)],
    ['phi', formatPhi(peer.phi)],
    ['last heard', peer.lastHeardMs === null ? 'never' : `${formatLastHeard(peer.lastHeardMs)} ago`],
    ['observers', `${peer.observers.agree} of ${peer.observers.total} agree${peer.observedBySelf ? ' (this node observes it)' : ''}`],
    ['incarnation', String(peer.incarnation)],
    ['failures', String(peer.failureCount)],
    ['addrs', peer.addrs.length === 0 ? '-' : peer.addrs.map(sanitize).join(', ')],
    ['failing checks', formatFailing(peer.summary ?? null)],
    ...trendFields(peer)
  ]
  const history = peer.history.length === 0
    ? '  none\n'
    : peer.history.map((h) => `  ${sanitize(h.at)}  ${sanitize(h.from)} -> ${paint(h.to, stateStyle(h.to), color)}  ${sanitize(h.reason)}\n`).join('')
  return `${paint(peer.name, 'bold', color)} ${sanitize(peer.id)}\n${renderFields(fields)}history (oldest first)\n${history}`
}

/** cpu, memory, disk and load: the latest figure, where it is heading, and a sparkline of the trend. */
function trendFields(peer: PeerDetail): [string, string][] {
  const t = peer.trend ?? null
  if (t === null) return [['trend', peer.summary === null || peer.summary === undefined ? 'none (this node does not observe the peer)' : 'none yet']]
  const row = (label: string, key: 'cpuPercent' | 'memoryPercent' | 'diskPercent' | 'loadPerCore', unit: '%' | ''): [string, string] =>
    [label, `${formatHeading(t.heading[key], unit).padEnd(24)} ${sparkline(t.points.map((p) => p[key]))}`]
  return [row('cpu', 'cpuPercent', '%'), row('memory', 'memoryPercent', '%'), row('disk', 'diskPercent', '%'), row('load/core', 'loadPerCore', '')]
}

export function peerCommand(): Command {
  return withClientOptions(new Command('peer'))
    .description("show one peer's state, detector readings and recent history")
    .argument('<id|name>', "the peer's id, or its name")
    .addHelpText('after', `
With --json, prints exactly the object of GET /v1/peers/<id|name>.
Exits 1 when no peer with that id or name is known.`)
    .action(async (idOrName: string, options: ClientOptions) => {
      const peer = await fetchFromAgent<PeerDetail>(options, API_PATHS.peer(idOrName))
      if (options.json === true) printJson(peer)
      else process.stdout.write(renderPeer(peer, colorEnabled()))
    })
}
