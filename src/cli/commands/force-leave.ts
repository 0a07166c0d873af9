/**
 * `healthmon force-leave PEER` (Serf's and Consul's command): marks a dead member `left`, so its
 * alerts resolve and it no longer degrades health; the leave is gossiped, and other agents accept
 * it only where the member is dead in their own view. A live member is refused (409
 * MEMBER_ALIVE): stop it first, or let it leave by itself. Sent to the admin socket.
 */
import { Command } from 'commander'
import { API_PATHS, type ForceLeaveResponse } from '../../api/protocol.ts'
import { adminClient, printJson, withAdminSocketOption, withClientOptions, type ClientOptions } from './common.ts'

export function forceLeaveCommand(): Command {
  return withAdminSocketOption(withClientOptions(new Command('force-leave')))
    .description('mark a dead member as left, cluster-wide: its alerts resolve and it stops degrading health')
    .argument('<peer>', 'the member\'s id or name')
    .action(async (peer: string, options: ClientOptions) => {
      const r = await adminClient(options).post<ForceLeaveResponse>(API_PATHS.forceLeave(peer))
      if (options.json === true) printJson(r)
      else process.stdout.write(`${r.name} (${r.id}) marked left${r.cluster ? ' cluster-wide' : ' on this node'}\n`)
    })
}
