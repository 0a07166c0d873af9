/**
 * What every client command shares: the --socket / --cluster / --json options, the socket path
 * rule (--socket, else $HEALTHMON_SOCKET, else the agent's own default for the cluster), one GET
 * to the agent, and printing JSON exactly as the API sent it.
 */
import { Option, type Command } from 'commander'
import { ApiClient } from '../../api/client.ts'
import { defaultDataDir, defaultSocketPath } from '../../config/paths.ts'

export interface ClientOptions {
  socket?: string
  cluster?: string
  json?: boolean
}

export const DEFAULT_CLUSTER = 'default'

/** Adds the options every client command takes. */
export function withClientOptions(command: Command): Command {
  return command
    .addOption(new Option('--socket <path>', "the agent's unix socket (default: the agent's default path for --cluster)").env('HEALTHMON_SOCKET'))
    .addOption(new Option('--cluster <name>', 'cluster whose default socket to use').env('HEALTHMON_CLUSTER').default(DEFAULT_CLUSTER))
    .option('--json', "print the API's JSON object on one line instead of text")
}

/** The socket a client command talks to. Empty values count as unset. */
export function socketPathFrom(options: ClientOptions): string {
  if (options.socket !== undefined && options.socket !== '') return options.socket
  const cluster = options.cluster !== undefined && options.cluster !== '' ? options.cluster : DEFAULT_CLUSTER
  return defaultSocketPath(cluster, defaultDataDir(cluster))
}

/** One GET to the agent; errors (AGENT_UNREACHABLE, ApiError) propagate to main's handler. */
export function fetchFromAgent<T>(options: ClientOptions, path: string): Promise<T> {
  return new ApiClient(socketPathFrom(options)).get<T>(path)
}

/** `--json` output: the API's object, one line, newline-terminated, exactly as the API serializes it. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`)
}
