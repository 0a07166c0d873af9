/**
 * What every client command shares: the --socket / --cluster / --json options, the socket path
 * rule (--socket, else $HEALTHMON_SOCKET, else the agent's own default for the cluster), one GET
 * to the agent, and printing JSON exactly as the API sent it.
 */
import { Option, type Command } from 'commander'
import { ApiClient } from '../../api/client.ts'
import { defaultAdminSocketPath, defaultDataDir, defaultSocketPath } from '../../config/paths.ts'

export interface ClientOptions {
  socket?: string
  /** Only write commands (check-in...) take it; see withAdminSocketOption. */
  adminSocket?: string
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

/**
 * Adds --admin-socket, for commands that change the agent's state: those are served only on the
 * admin socket (mode 0600), whose default sits next to the read socket as the agent derives it.
 */
export function withAdminSocketOption(command: Command): Command {
  return command.addOption(new Option('--admin-socket <path>', "the agent's admin socket, for requests that change state (default: next to the socket, x.sock -> x.admin.sock)").env('HEALTHMON_ADMIN_SOCKET'))
}

/** The admin socket a write command talks to: --admin-socket, else derived from the read socket. */
export function adminSocketPathFrom(options: ClientOptions): string {
  if (options.adminSocket !== undefined && options.adminSocket !== '') return options.adminSocket
  return defaultAdminSocketPath(socketPathFrom(options))
}

/** A client for the admin socket, whose permission errors say who may use it. */
export function adminClient(options: ClientOptions): ApiClient {
  return new ApiClient(adminSocketPathFrom(options), { socket: 'admin' })
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
