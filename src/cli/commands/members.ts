/**
 * `healthmon members`: every member this node knows, itself first, one line each with its full
 * id (to paste into --join .../p2p/<id>) and addresses. From GET /v1/view.
 */
import { Command } from 'commander'
import { API_PATHS, type ClusterView, type PeerState } from '../../api/protocol.ts'
import { colorEnabled, compareText, renderTable, stateStyle, type Column } from '../format.ts'
import { fetchFromAgent, printJson, withClientOptions, type ClientOptions } from './common.ts'

interface MemberRow {
  name: string
  id: string
  state: PeerState
  addrs: string[]
}

const MEMBER_COLUMNS: readonly Column<MemberRow>[] = [
  { header: 'NAME', value: (m) => m.name },
  { header: 'ID', value: (m) => m.id },
  { header: 'STATE', value: (m) => m.state, style: (m) => stateStyle(m.state) },
  { header: 'ADDRS', value: (m) => (m.addrs.length === 0 ? '-' : m.addrs.join(',')) }
]

export function renderMembers(view: ClusterView, color: boolean): string {
  const self: MemberRow = { name: `${view.self.name} (self)`, id: view.self.id, state: 'alive', addrs: view.self.addrs }
  const peers = [...view.peers].sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id))
  return renderTable([self, ...peers], MEMBER_COLUMNS, color)
}

export function membersCommand(): Command {
  return withClientOptions(new Command('members'))
    .description('list the cluster members this node knows: name, id, state, addresses')
    .addHelpText('after', `
This node comes first, marked "(self)"; peers follow by name.
With --json, prints exactly the object of GET /v1/view (members are its self and peers).`)
    .action(async (options: ClientOptions) => {
      const view = await fetchFromAgent<ClusterView>(options, API_PATHS.view)
      if (options.json === true) printJson(view)
      else process.stdout.write(renderMembers(view, colorEnabled()))
    })
}
