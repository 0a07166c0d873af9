/**
 * `healthmon check-in ID --status pass|warn|fail [--note TEXT]`: a TTL check's application
 * reports in (POST /v1/checks/{id}/<status>), e.g. at the end of a cron job:
 *
 *   backup.sh && healthmon check-in backup --status pass || healthmon check-in backup --status fail --note "backup.sh failed"
 *
 * A missing or bad --status is a usage error (exit 2); an unknown or non-TTL check is an error
 * from the agent (exit 1, CHECK_NOT_FOUND / CHECK_NOT_TTL). It goes to the admin socket (a
 * check-in changes state), so it runs as the agent's user or root.
 */
import { Command, Option } from 'commander'
import { API_PATHS, type CheckDetail, type CheckInStatus } from '../../api/protocol.ts'
import { paint, colorEnabled } from '../format.ts'
import { adminClient, printJson, withAdminSocketOption, withClientOptions, type ClientOptions } from './common.ts'
import { checkStatusStyle } from './checks.ts'

interface CheckInOptions extends ClientOptions {
  status: CheckInStatus
  note?: string
}

export function checkInCommand(): Command {
  return withAdminSocketOption(withClientOptions(new Command('check-in')))
    .description('report in for a TTL check (checks[].ttlMs): pass, warn or fail, with an optional note')
    .argument('<id>', 'the check id')
    .addOption(new Option('--status <status>', 'the result').choices(['pass', 'warn', 'fail']).makeOptionMandatory())
    .option('--note <text>', 'what to show as the check\'s output (first line: the summary)')
    .addHelpText('after', `
The check's TTL starts again; if the next check-in does not come within ttlMs
the check turns critical. With --json, prints the check as GET /v1/checks shows it.
It talks to the agent's admin socket (--admin-socket), open only to the agent's
user and root.`)
    .action(async (id: string, options: CheckInOptions) => {
      const body = options.note === undefined ? undefined : { note: options.note }
      const check = await adminClient(options).post<CheckDetail>(API_PATHS.checkIn(id, options.status), body)
      if (options.json === true) printJson(check)
      else process.stdout.write(`${paint(check.id, 'bold', colorEnabled())}: ${paint(check.status, checkStatusStyle(check.status), colorEnabled())} - ${paint(check.output, undefined, false)}\n`)
    })
}
