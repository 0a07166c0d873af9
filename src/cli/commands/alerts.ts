/**
 * `healthmon alerts`: the alerts this node's rules hold (firing, pending, recently resolved),
 * from GET /v1/alerts, and `healthmon alerts history`, resolved alerts newest first from GET
 * /v1/alerts/history. The filters are the endpoints' query parameters, passed through as they
 * are so the agent validates them (a bad value is a usage error there, exit 2 with its message).
 */
import { Command, Option } from 'commander'
import { API_PATHS, withQuery, type AlertHistoryResponse, type AlertsResponse, type AlertView, type Severity } from '../../api/protocol.ts'
import { colorEnabled, paint, renderTable, type Column, type Style } from '../format.ts'
import { fetchFromAgent, printJson, withClientOptions, type ClientOptions } from './common.ts'

interface AlertsOptions extends ClientOptions {
  state?: string
  severity?: string
  peer?: string
  matcher?: string[]
  since?: string
  until?: string
  limit?: string
}

export function severityStyle(severity: Severity): Style | undefined {
  return severity === 'critical' ? 'red' : severity === 'warning' ? 'yellow' : 'dim'
}

function stateStyle(a: AlertView): Style | undefined {
  if (a.state === 'resolved') return 'green'
  if (a.silencedBy.length > 0 || a.inhibited) return 'dim'
  return a.state === 'pending' ? 'yellow' : 'red'
}

function muting(a: AlertView): string {
  if (a.silencedBy.length > 0) return `silenced (${a.silencedBy.join(', ')})`
  if (a.inhibited) return 'inhibited'
  const told = a.notifiedBy.filter((m) => m.status === (a.state === 'resolved' ? 'resolved' : 'firing')).at(-1)
  return told === undefined ? '' : `told by ${told.byName ?? told.by.slice(0, 12)}`
}

const ALERT_COLUMNS: readonly Column<AlertView>[] = [
  { header: 'ALERT', value: (a) => a.alertname },
  { header: 'STATE', value: (a) => a.state, style: stateStyle },
  { header: 'SEVERITY', value: (a) => a.severity, style: (a) => severityStyle(a.severity) },
  { header: 'SUBJECT', value: (a) => (a.subject.kind === 'peer' ? a.subject.name : (a.labels['check'] ?? a.labels['mountpoint'] ?? 'this node')) },
  { header: 'SINCE', value: (a) => a.firedAt ?? a.startsAt },
  { header: 'NOTE', value: muting },
  { header: 'SUMMARY', value: (a) => a.annotations['summary'] ?? '' }
]

export function renderAlerts(response: AlertsResponse, color: boolean): string {
  if (response.alerts.length === 0) return 'no alerts\n'
  const table = renderTable(response.alerts, ALERT_COLUMNS, color)
  const more = response.matched > response.alerts.length
    // The newline stays outside paint(): sanitize() would print it as "?".
    ? `${paint(`(${response.alerts.length} of ${response.matched} matching; see --limit)`, 'dim', color)}\n`
    : ''
  return table + more
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

export function alertsCommand(): Command {
  const command = withClientOptions(new Command('alerts'))
    .description("show this node's alerts: firing, pending and recently resolved, firing first")
    .addOption(new Option('--state <states>', 'only these states (comma-separated: pending, firing, flapping, resolved)'))
    .addOption(new Option('--severity <severities>', 'only these severities (comma-separated: info, warning, critical)'))
    .option('--peer <id|name>', 'only alerts about this peer')
    .option('--matcher <matcher>', 'label matcher, repeatable: alertname=PeerDead, peer=~"web-.*", severity!=info', collect)
    .option('--since <time>', 'only alerts that started at or after this time: ISO 8601, or a duration before now (90s, 10m, 2h, 1d)')
    .option('--until <time>', 'only alerts that started before this time')
    .option('--limit <n>', 'at most this many (1-1000; default 1000)')
    .addHelpText('after', `
With --json, prints exactly the object of GET /v1/alerts with the same filters.
NOTE says whether a silence or an inhibition rule mutes the alert, or which agent
of the cluster told a person about it (only one does per incident).`)
    .action(async (options: AlertsOptions) => {
      const matcher = options.matcher === undefined ? undefined : options.matcher.join(',')
      const path = withQuery(API_PATHS.alerts, { state: options.state, severity: options.severity, peer: options.peer, matcher, since: options.since, until: options.until, limit: options.limit })
      const response = await fetchFromAgent<AlertsResponse>(options, path)
      if (options.json === true) printJson(response)
      else process.stdout.write(renderAlerts(response, colorEnabled()))
    })
  command.addCommand(historyCommand())
  return command
}

interface HistoryOptions extends ClientOptions {
  before?: string
  since?: string
  until?: string
  limit?: string
}

function historyCommand(): Command {
  return withClientOptions(new Command('history'))
    .description('resolved alerts, newest first (kept alertHistoryRetentionMs, at most alertHistoryRowsMax)')
    .option('--since <time>', 'resolved at or after this time (ISO 8601 or a duration before now)')
    .option('--until <time>', 'resolved before this time')
    .option('--before <id>', 'page on: the ids below this one (the last page printed says which)')
    .option('--limit <n>', 'at most this many (1-1000; default 100)')
    .action(async (options: HistoryOptions) => {
      const path = withQuery(API_PATHS.alertHistory, { before: options.before, since: options.since, until: options.until, limit: options.limit })
      const response = await fetchFromAgent<AlertHistoryResponse>(options, path)
      if (options.json === true) { printJson(response); return }
      const color = colorEnabled()
      if (response.alerts.length === 0) { process.stdout.write('no resolved alerts\n'); return }
      const columns: Column<(typeof response.alerts)[number]>[] = [
        { header: 'ID', value: (a) => String(a.id), align: 'right' },
        ...ALERT_COLUMNS.filter((c) => c.header !== 'STATE' && c.header !== 'NOTE' && c.header !== 'SINCE'),
        { header: 'STARTED', value: (a) => a.startsAt },
        { header: 'RESOLVED', value: (a) => a.resolvedAt ?? '' }
      ]
      process.stdout.write(renderTable(response.alerts, columns, color))
      if (response.nextBefore !== null) process.stdout.write(`${paint(`(older: --before ${response.nextBefore})`, 'dim', color)}\n`)
    })
}
