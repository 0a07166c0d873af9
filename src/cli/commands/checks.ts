/**
 * `healthmon checks`: every custom check of this node (GET /v1/checks), one line each: id,
 * kind, status after damping, whether it flaps, how long it has had that status, and the
 * latest output's summary line.
 */
import { Command } from 'commander'
import { API_PATHS, type CheckDetail, type CheckStatus, type ChecksResponse } from '../../api/protocol.ts'
import { colorEnabled, formatDuration, renderTable, type Column, type Style } from '../format.ts'
import { fetchFromAgent, printJson, withClientOptions, type ClientOptions } from './common.ts'

export function checkStatusStyle(status: CheckStatus): Style | undefined {
  return status === 'passing' ? 'green' : status === 'warning' ? 'yellow' : status === 'critical' ? 'red' : 'dim'
}

/** Longest output shown in the table; `--json` has it whole. */
const OUTPUT_CHARS_MAX = 120

function checkColumns(nowMs: number): Column<CheckDetail>[] {
  return [
    { header: 'ID', value: (c) => c.id },
    { header: 'KIND', value: (c) => c.kind },
    { header: 'STATUS', value: (c) => c.status, style: (c) => checkStatusStyle(c.status) },
    { header: 'FLAPPING', value: (c) => (c.flapping ? 'yes' : '-'), style: (c) => (c.flapping ? 'yellow' : undefined) },
    { header: 'SINCE', value: (c) => formatDuration(nowMs - Date.parse(c.since)), align: 'right' },
    { header: 'OUTPUT', value: (c) => (c.output.length > OUTPUT_CHARS_MAX ? `${c.output.slice(0, OUTPUT_CHARS_MAX - 1)}…` : c.output) }
  ]
}

export function renderChecks(response: ChecksResponse, color: boolean): string {
  if (response.checks.length === 0) return 'no checks configured (see "checks:" in the config file)\n'
  return renderTable(response.checks, checkColumns(Date.parse(response.generatedAt)), color)
}

export function checksCommand(): Command {
  return withClientOptions(new Command('checks'))
    .description("show this node's custom checks: status, flapping, since when, latest output")
    .addHelpText('after', `
With --json, prints exactly the object of GET /v1/checks, with each check's
latest raw result, long output, perfdata, schedule and counters.`)
    .action(async (options: ClientOptions) => {
      const response = await fetchFromAgent<ChecksResponse>(options, API_PATHS.checks)
      if (options.json === true) printJson(response)
      else process.stdout.write(renderChecks(response, colorEnabled()))
    })
}
