/**
 * The socket file's life cycle: claim the path (replacing a stale socket, refusing a live agent's
 * or anything that is not a socket), publish a listening socket there with the right mode and
 * group, and remove it again only if it is still ours.
 *
 * Publishing is atomic. The server binds a private name in the same directory, gets its mode
 * (0660) and group set there, then hard-links it to the public path: link(2) fails if the path
 * exists, so two agents starting at once cannot both win, and a client never sees the socket with
 * the umask's permissions. It also keeps libuv, which unlinks the *bound* name when a listening
 * pipe closes, from ever removing the public path: that is done here, and only after checking the
 * inode, so an agent that lost its path to a newer one never deletes the newer one's socket.
 */
import { chmod, chown, link, lstat, mkdir, readFile, stat, unlink } from 'node:fs/promises'
import { connect } from 'node:net'
import { dirname, join } from 'node:path'
import { ConfigError, HealthmonError } from '../errors.ts'
import type { Logger } from '../runtime/logger.ts'
import { ApiClient } from './client.ts'
import { API_PATHS, type SelfView } from './protocol.ts'

/** sockaddr_un.sun_path is 108 bytes on Linux including the terminating NUL. */
export const SOCKET_PATH_BYTES_MAX = 107
/** How long the probe of a live agent may take to say who it is; its answer only adorns a message. */
const PROBE_TIMEOUT_MS = 1000

/** Identity of a socket inode, to tell our file from one that replaced it. */
export interface SocketIdentity {
  dev: bigint
  ino: bigint
}

function errnoOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

export function checkSocketPathLength(socketPath: string): void {
  if (Buffer.byteLength(socketPath) > SOCKET_PATH_BYTES_MAX) {
    throw new ConfigError('socket', `${socketPath} is longer than ${SOCKET_PATH_BYTES_MAX} bytes, the limit for unix socket paths`)
  }
}

/** Creates the socket's directory (0750, recursive) when missing. */
export async function ensureSocketDir(socketPath: string): Promise<void> {
  const dir = dirname(socketPath)
  try {
    await mkdir(dir, { recursive: true, mode: 0o750 })
  } catch (error) {
    throw new ConfigError('socket', `cannot create the directory ${dir}: ${describe(error)}`)
  }
}

/** Resolves 'refused' when nothing listens on the socket (stale), 'live' when something does. */
function probe(socketPath: string): Promise<'stale' | 'live' | { errno: string }> {
  return new Promise((resolve) => {
    const socket = connect(socketPath)
    socket.once('connect', () => {
      socket.destroy()
      resolve('live')
    })
    socket.once('error', (error) => {
      socket.destroy()
      const errno = errnoOf(error) ?? 'EUNKNOWN'
      // ECONNREFUSED: a socket file with no listener (its agent died). ENOENT: it vanished meanwhile.
      resolve(errno === 'ECONNREFUSED' || errno === 'ENOENT' ? 'stale' : { errno })
    })
  })
}

async function describeLiveAgent(socketPath: string): Promise<string> {
  try {
    const self = await new ApiClient(socketPath, { timeoutMs: PROBE_TIMEOUT_MS }).get<SelfView>(API_PATHS.self)
    if (typeof self.name === 'string' && typeof self.id === 'string') return ` by agent "${self.name}" (${self.id})`
  } catch {
    // Not a healthmon agent, or too busy to answer: the message simply names no agent.
  }
  return ''
}

/**
 * Makes the path free to publish on: nothing there, or a stale socket that is removed. Throws
 * SOCKET_IN_USE when an agent answers there, ConfigError when the path is not a socket.
 */
export async function claimSocketPath(socketPath: string, logger: Logger): Promise<void> {
  let isSocket: boolean
  try {
    isSocket = (await lstat(socketPath)).isSocket()
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return
    throw new ConfigError('socket', `cannot inspect ${socketPath}: ${describe(error)}`)
  }
  if (!isSocket) throw new ConfigError('socket', `${socketPath} exists and is not a socket; refusing to replace it`)
  const state = await probe(socketPath)
  if (state === 'live') {
    const who = await describeLiveAgent(socketPath)
    throw new HealthmonError('SOCKET_IN_USE', `${socketPath} is already served${who}; stop that agent or choose another --socket`)
  }
  if (state !== 'stale') {
    throw new HealthmonError('SOCKET_IN_USE', `cannot tell whether ${socketPath} is in use (connecting failed with ${state.errno}); not replacing it`)
  }
  logger.warn({ socket: socketPath }, 'removing stale socket left by an agent that did not shut down')
  try {
    await unlink(socketPath)
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw new ConfigError('socket', `cannot remove stale socket ${socketPath}: ${describe(error)}`)
  }
}

let bindCounter = 0

/**
 * A private name to bind before publishing: a dot file in the same directory (link(2) needs the
 * same file system), unique per process and server. Kept short: it has the same length limit.
 */
export function privateBindPath(socketPath: string): string {
  bindCounter += 1
  const candidate = join(dirname(socketPath), `.hm${process.pid}.${bindCounter}`)
  if (Buffer.byteLength(candidate) > SOCKET_PATH_BYTES_MAX) {
    throw new ConfigError('socket', `the directory of ${socketPath} is too long to bind a socket in (limit ${SOCKET_PATH_BYTES_MAX} bytes)`)
  }
  return candidate
}

/** Removes a leftover at the private name (our pid's, from a crashed earlier process). */
export async function clearPrivatePath(bindPath: string): Promise<void> {
  try {
    await unlink(bindPath)
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw new ConfigError('socket', `cannot remove ${bindPath}: ${describe(error)}`)
  }
}

/** Group name or id to a gid: numbers as they are, names through /etc/group. */
async function resolveGid(group: string | number): Promise<number> {
  if (typeof group === 'number') return group
  if (/^\d+$/.test(group)) return Number(group)
  let text = ''
  try {
    text = await readFile('/etc/group', 'utf8')
  } catch {
    // Fall through to "no such group".
  }
  for (const line of text.split('\n')) {
    const [name, , gid] = line.split(':')
    if (name === group && gid !== undefined && /^\d+$/.test(gid)) return Number(gid)
  }
  throw new ConfigError('socketGroup', `no group named "${group}" in /etc/group (give a numeric gid instead)`)
}

/**
 * Sets `mode` (0660 for the read socket, 0600 for the admin socket) and the group on the bound
 * socket, then links it to the public path. Returns the inode identity for removeIfOurs(). On
 * EEXIST another agent published first: SOCKET_IN_USE.
 */
export async function publishSocket(bindPath: string, socketPath: string, socketGroup: string | number | undefined, mode = 0o660): Promise<SocketIdentity> {
  await chmod(bindPath, mode)
  if (socketGroup !== undefined) {
    const gid = await resolveGid(socketGroup)
    try {
      await chown(bindPath, -1, gid)
    } catch (error) {
      throw new ConfigError('socketGroup', `cannot give ${socketPath} to group ${socketGroup}: ${describe(error)}`)
    }
  }
  try {
    await link(bindPath, socketPath)
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') throw new HealthmonError('SOCKET_IN_USE', `${socketPath} was taken by another agent starting at the same time`)
    throw new ConfigError('socket', `cannot create ${socketPath}: ${describe(error)}`)
  } finally {
    await unlink(bindPath).catch(() => undefined)
  }
  const info = await stat(socketPath, { bigint: true })
  return { dev: info.dev, ino: info.ino }
}

/** Unlinks the public path if it is still the inode we published; returns whether it did. */
export async function removeIfOurs(socketPath: string, identity: SocketIdentity, logger: Logger): Promise<boolean> {
  try {
    const info = await lstat(socketPath, { bigint: true })
    if (info.dev !== identity.dev || info.ino !== identity.ino) {
      logger.warn({ socket: socketPath }, 'socket path now belongs to another process; leaving it')
      return false
    }
    await unlink(socketPath)
    return true
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') logger.warn({ socket: socketPath, err: error }, 'could not remove socket file')
    return false
  }
}

