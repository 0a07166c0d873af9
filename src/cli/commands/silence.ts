/**
 * `healthmon silence add|ls|expire`, amtool's verbs over the agent's /v1/silences: a silence
 * added on one node is written to its database before the answer and gossiped, so it holds on
 * every node of the cluster. Adding and expiring change state, so they go to the agent's admin
 * socket (--admin-socket, default next to the socket); listing reads the socket.
 *
 *   healthmon silence add --matcher alertname=PeerDead --matcher peer=web-3 --duration 2h --comment "rack 4 maintenance"
 *   healthmon silence ls [--json]
 *   healthmon silence expire ID
 */
import { userInfo } from 'node:os'
import { Command } from 'commander'
import { ApiClient } from '../../api/client.ts'
import { API_PATHS, type SilenceRequest, type SilencesResponse, type SilenceView } from '../../api/protocol.ts'
import { colorEnabled, paint, renderTable, type Column } from '../format.ts'
import { adminClient, printJson, socketPathFrom, withAdminSocketOption, withClientOptions, type ClientOptions } from './common.ts'

interface AddOptions extends ClientOptions {
  matcher: string[]
  duration?: string
  start?: string
  end?: string
  comment?: string
  author?: string
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

const matchersText = (s: SilenceView): string => s.matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(' ')

const COLUMNS: readonly Column<SilenceView>[] = [
  { header: 'ID', value: (s) => s.id },
  { header: 'STATUS', value: (s) => s.status, style: (s) => (s.status === 'active' ? 'yellow' : s.status === 'expired' ? 'dim' : undefined) },
  { header: 'MATCHERS', value: matchersText },
  { header: 'ENDS', value: (s) => s.endsAt },
  { header: 'BY', value: (s) => s.createdBy },
  { header: 'COMMENT', value: (s) => s.comment }
]

function defaultAuthor(): string {
  try {
    return userInfo().username
  } catch {
    return 'healthmon'
  }
}

export function silenceCommand(): Command {
  const silence = new Command('silence').description('mute alerts matching a set of label matchers, cluster-wide (Alertmanager silences)')
  silence.addCommand(withAdminSocketOption(withClientOptions(new Command('add')))
    .description('add a silence: every alert all the matchers match is muted until it ends')
    .requiredOption('--matcher <matcher>', 'label matcher, repeatable: alertname=PeerDead, peer=~"web-.*", severity!=info', collect)
    .option('--duration <d>', 'how long, from the start: 30m, 2h, 1d (default 1h unless --end)')
    .option('--start <time>', 'when it starts (ISO 8601; default now)')
    .option('--end <time>', 'when it ends (ISO 8601), instead of --duration')
    .option('--comment <text>', 'why (shown with the silence)')
    .option('--author <name>', 'who (default: your user name)')
    .action(async (options: AddOptions) => {
      const body: SilenceRequest = {
        matchers: options.matcher,
        createdBy: options.author ?? defaultAuthor(),
        comment: options.comment ?? '',
        ...(options.start === undefined ? {} : { startsAt: options.start }),
        ...(options.end === undefined ? { duration: options.duration ?? '1h' } : { endsAt: options.end }),
        ...(options.end !== undefined && options.duration !== undefined ? { duration: options.duration } : {})
      }
      const s = await adminClient(options).post<SilenceView>(API_PATHS.silences, body)
      if (options.json === true) printJson(s)
      else process.stdout.write(`${s.id}\n`)
    }))
  silence.addCommand(withClientOptions(new Command('ls'))
    .description('list the silences this node holds (its own and the cluster\'s), newest first')
    .action(async (options: ClientOptions) => {
      const r = await new ApiClient(socketPathFrom(options)).get<SilencesResponse>(API_PATHS.silences)
      if (options.json === true) printJson(r)
      else process.stdout.write(r.silences.length === 0 ? 'no silences\n' : renderTable(r.silences, COLUMNS, colorEnabled()))
    }))
  silence.addCommand(withAdminSocketOption(withClientOptions(new Command('expire')))
    .description('end a silence now, cluster-wide')
    .argument('<id>', 'the silence id (healthmon silence ls)')
    .action(async (id: string, options: ClientOptions) => {
      const s = await adminClient(options).delete<SilenceView>(API_PATHS.silence(id))
      if (options.json === true) printJson(s)
      else process.stdout.write(`${paint(s.id, 'bold', colorEnabled())} expired\n`)
    }))
  return silence
}
