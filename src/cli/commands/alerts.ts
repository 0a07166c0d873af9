/**
 * `healthmon alerts`: the local alert log (peer state changes with a severity), oldest first,
 * from GET /v1/alerts. The filters are the endpoint's query parameters, passed through as they
 * are so the agent validates them (a bad value is a usage error there, exit 1 with its message).
 */
import { Command, Option } from 'commander'
import { API_PATHS, withQuery, type AlertEntry, type AlertsResponse, type Severity } from '../../api/protocol.ts'
import { colorEnabled, paint, renderTable, stateStyle, type Column, type Style } from '../format.ts'
import { fetchFromAgent, printJson, withClientOptions, type ClientOptions } from './common.ts'

interface AlertsOptions extends ClientOptions {
  state?: string
  severity?: string
  peer?: string
  since?: string
  limit?: string
}

export function severityStyle(severity: Severity): Style | undefined {
  return severity === 'critical' ? 'red' : severity === 'warning' ? 'yellow' : 'dim'
}

const ALERT_COLUMNS: readonly Column<AlertEntry>[] = [
  { header: 'ID', value: (a) => String(a.id), align: 'right' },
  { header: 'TIME', value: (a) => a.at },
  { header: 'SEVERITY', value: (a) => a.severity, style: (a) => severityStyle(a.severity) },
  { header: 'PEER', value: (a) => a.peerName },
  { header: 'CHANGE', value: (a) => `${a.from} -> ${a.to}`, style: (a) => stateStyle(a.to) },
  { header: 'MESSAGE', value: (a) => a.message }
]

export function renderAlerts(response: AlertsResponse, color: boolean): string {
  if (response.alerts.length === 0) return 'no alerts\n'
  const table = renderTable(response.alerts, ALERT_COLUMNS, color)
  const more = response.matched > response.alerts.length
    // The newline stays outside paint(): sanitize() would print it as "?".
    ? `${paint(`(the newest ${response.alerts.length} of ${response.matched} matching; see --limit)`, 'dim', color)}\n`
    : ''
  return table + more
}

export function alertsCommand(): Command {
  return withClientOptions(new Command('alerts'))
    .description("show this node's alert log: peer state changes with their severity, oldest first")
    .addOption(new Option('--state <states>', 'only alerts about peers entering these states (comma-separated: alive, suspect, dead, left, missing)'))
    .addOption(new Option('--severity <severities>', 'only these severities (comma-separated: info, warning, critical)'))
    .option('--peer <id|name>', 'only alerts about this peer')
    .option('--since <time>', 'only alerts at or after this time: ISO 8601, or a duration before now (90s, 10m, 2h, 1d)')
    .option('--limit <n>', 'at most this many, the newest (1-1000; default 1000)')
    .addHelpText('after', `
With --json, prints exactly the object of GET /v1/alerts with the same filters.
Severities: critical when a peer is dead, warning when suspect or missing, info
for joins, recoveries and leaves.`)
    .action(async (options: AlertsOptions) => {
      const path = withQuery(API_PATHS.alerts, { state: options.state, severity: options.severity, peer: options.peer, since: options.since, limit: options.limit })
      const response = await fetchFromAgent<AlertsResponse>(options, path)
      if (options.json === true) printJson(response)
      else process.stdout.write(renderAlerts(response, colorEnabled()))
    })
}
