/**
 * `healthmon health`: the node's aggregated health from GET /v1/health, as a Nagios / Icinga
 * plugin (Monitoring Plugins development guidelines): one line "HEALTHMON <STATE> - <text> |
 * <perfdata>" on stdout, and the exit code 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 *
 * healthy -> OK, degraded -> WARNING, unhealthy -> CRITICAL; an agent that cannot be reached,
 * or answers an error, is UNKNOWN (3, unlike the other commands' 1: a monitoring system must
 * tell "the check could not run" from "the node is in trouble").
 *
 * Perfdata: 'label'=value[UOM];[warn];[crit];[min];[max], space-separated, no unit (counts).
 * The warn/crit fields are ranges in the plugin convention ("0": alert above 0), stating the
 * rule the agent applies: any suspect, dead or missing peer degrades the node; an awareness
 * score at or above the unhealthy point makes it unhealthy.
 */
import { Command } from 'commander'
import { ApiClient } from '../../api/client.ts'
import { API_PATHS, type HealthReport, type NodeStatus } from '../../api/protocol.ts'
import { describeError } from '../describe-error.ts'
import { sanitize } from '../format.ts'
import { printJson, socketPathFrom, withClientOptions, type ClientOptions } from './common.ts'

export const NAGIOS_OK = 0
export const NAGIOS_WARNING = 1
export const NAGIOS_CRITICAL = 2
export const NAGIOS_UNKNOWN = 3

const STATE_OF: Record<NodeStatus, { code: number; word: string }> = {
  healthy: { code: NAGIOS_OK, word: 'OK' },
  degraded: { code: NAGIOS_WARNING, word: 'WARNING' },
  unhealthy: { code: NAGIOS_CRITICAL, word: 'CRITICAL' }
}

/** Plugin text must not contain "|" (it starts the perfdata) nor line breaks. */
function pluginText(text: string): string {
  return sanitize(text).replace(/\|/g, '/').replace(/\s+/g, ' ').trim()
}

/** One perfdata item: label=value;warn;crit;min;max, trailing empty fields dropped. */
export function perfdatum(label: string, value: number, fields: { warn?: string; crit?: string; min?: number; max?: number } = {}): string {
  const parts = [`${label}=${value}`, fields.warn ?? '', fields.crit ?? '', fields.min?.toString() ?? '', fields.max?.toString() ?? '']
  while (parts.length > 1 && parts.at(-1) === '') parts.pop()
  return parts.join(';')
}

export function perfdata(report: HealthReport): string {
  const p = report.peers
  const total = p.total
  return [
    perfdatum('peers_alive', p.alive, { min: 0, max: total }),
    perfdatum('peers_suspect', p.suspect, { warn: '0', min: 0, max: total }),
    perfdatum('peers_dead', p.dead, { warn: '0', min: 0, max: total }),
    perfdatum('peers_missing', p.missing, { warn: '0', min: 0, max: total }),
    perfdatum('peers_left', p.left, { min: 0, max: total }),
    perfdatum('awareness', report.node.awareness, { warn: '0', crit: String(report.node.awarenessUnhealthyAt - 1), min: 0, max: report.node.awarenessMax })
  ].join(' ')
}

/** The plugin's output line and exit code for a report. */
export function nagiosResult(report: HealthReport): { line: string; code: number } {
  const state = STATE_OF[report.status] ?? { code: NAGIOS_UNKNOWN, word: 'UNKNOWN' }
  return { line: `HEALTHMON ${state.word} - ${pluginText(`${report.node.name} ${report.status}: ${report.summary}`)} | ${perfdata(report)}`, code: state.code }
}

export function unknownLine(error: unknown): string {
  return `HEALTHMON UNKNOWN - ${pluginText(describeError(error))}`
}

export function healthCommand(): Command {
  return withClientOptions(new Command('health'))
    .description("check this node's aggregated health; a Nagios/Icinga plugin (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)")
    .addHelpText('after', `
The node is unhealthy (CRITICAL) when its own Lifeguard awareness score shows it
is too slow to judge others, or a critical alert fires (a dead peer, a critical
check); degraded (WARNING) when it is somewhat slow, or a warning alert fires (a
peer suspect or missing); healthy (OK) otherwise. Silenced and inhibited alerts,
and peers that left or were force-left, do not count. This is GET /v1/health
(200, 429, 503).

Output, in the plugin format:
  HEALTHMON CRITICAL - node-a unhealthy: 4 of 5 peers alive; node-d dead | peers_alive=4;;;0;5 ...
With --json, prints exactly the object of GET /v1/health instead (same exit codes).

Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN (no agent answered, or it
answered an error; the line says why), 2 also on a usage error.`)
    .action(async (options: ClientOptions) => {
      let report: HealthReport
      try {
        report = await new ApiClient(socketPathFrom(options)).get<HealthReport>(API_PATHS.health, { acceptStatuses: [429, 503] })
      } catch (error) {
        if (options.json === true) process.stderr.write(`${unknownLine(error)}\n`)
        else process.stdout.write(`${unknownLine(error)}\n`)
        process.exitCode = NAGIOS_UNKNOWN
        return
      }
      const result = nagiosResult(report)
      if (options.json === true) printJson(report)
      else process.stdout.write(`${result.line}\n`)
      process.exitCode = result.code
    })
}
