import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Default locations, shared by the agent and the CLI so both find the same socket:
 * socket: $HEALTHMON_SOCKET, else /run/healthmon/<cluster>.sock as root, else
 * $XDG_RUNTIME_DIR/healthmon/<cluster>.sock, else <data-dir>/healthmon.sock.
 * data dir: /var/lib/healthmon/<cluster> as root, else $XDG_STATE_HOME/healthmon/<cluster>, else
 * ~/.local/state/healthmon/<cluster>.
 * admin socket: next to the socket, <cluster>.admin.sock (see defaultAdminSocketPath).
 */
export interface PathEnv {
  env: NodeJS.ProcessEnv
  isRoot: boolean
  home: string
}

export function currentPathEnv(): PathEnv {
  return { env: process.env, isRoot: process.getuid?.() === 0, home: homedir() }
}

export function defaultDataDir(cluster: string, pathEnv: PathEnv = currentPathEnv()): string {
  if (pathEnv.isRoot) return join('/var/lib/healthmon', cluster)
  const stateHome = pathEnv.env['XDG_STATE_HOME']
  return join(stateHome !== undefined && stateHome !== '' ? stateHome : join(pathEnv.home, '.local', 'state'), 'healthmon', cluster)
}

export function defaultSocketPath(cluster: string, dataDir: string, pathEnv: PathEnv = currentPathEnv()): string {
  const fromEnv = pathEnv.env['HEALTHMON_SOCKET']
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (pathEnv.isRoot) return join('/run/healthmon', `${cluster}.sock`)
  const runtimeDir = pathEnv.env['XDG_RUNTIME_DIR']
  if (runtimeDir !== undefined && runtimeDir !== '') return join(runtimeDir, 'healthmon', `${cluster}.sock`)
  return join(dataDir, 'healthmon.sock')
}

/**
 * The admin socket's default path, next to the read socket: `x.sock` -> `x.admin.sock`, any other
 * name gets `.admin` appended. The agent and the CLI both derive it this way, so they agree
 * without config.
 */
export function defaultAdminSocketPath(socketPath: string): string {
  return socketPath.endsWith('.sock') ? `${socketPath.slice(0, -'.sock'.length)}.admin.sock` : `${socketPath}.admin`
}
