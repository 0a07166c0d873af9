/**
 * The API on a unix socket: the read socket (0660, read routes) and the admin socket (0600, every
 * route; access.ts). The socket file's life cycle (claiming a stale one, publishing it atomically
 * with its mode and group, removing it only if still ours) is socket-file.ts; requests are served
 * by server.ts, as on every listener.
 */
import { SOCKET_MODE } from './access.ts'
import { resolveLimits } from './limits.ts'
import { ApiHttpServer, type ApiHandlerOptions, type ApiServerStats } from './server.ts'
import { assertSafeSocketDir } from './socket-dir-safety.ts'
import {
  checkSocketPathLength,
  claimSocketPath,
  clearPrivatePath,
  ensureSocketDir,
  privateBindPath,
  publishSocket,
  removeIfOurs,
  type SocketIdentity
} from './socket-file.ts'

export interface ApiServerOptions extends ApiHandlerOptions {
  /**
   * Where to listen. Its directory is created (0750) if missing and refused when others could
   * write to it (socket-dir-safety.ts); the socket gets mode 0660, or 0600 for an admin listener.
   */
  socketPath: string
  /** The config key the socket path came from, named in start-up errors. Default 'socket'. */
  socketKey?: string
  /** Group (name or gid) given the socket, so its members may query the agent. Default: unchanged. */
  socketGroup?: string | number
}

export interface ApiServer {
  readonly socketPath: string
  /** Stops accepting, ends idle and pending connections, removes the socket file if still ours. Idempotent. */
  close(): Promise<void>
  stats(): ApiServerStats
}

/** Starts the API; resolves once the socket is published. See ApiServerOptions. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const settings = resolveLimits(options)
  const { socketPath, logger } = options
  checkSocketPathLength(socketPath)
  await ensureSocketDir(socketPath)
  await assertSafeSocketDir(socketPath, options.socketKey ?? 'socket')
  await claimSocketPath(socketPath, logger)
  const bindPath = privateBindPath(socketPath)
  await clearPrivatePath(bindPath)

  const http = new ApiHttpServer(options, settings)
  await http.listen(bindPath, 'socket')
  let identity: SocketIdentity | undefined
  const api: ApiServer = {
    socketPath,
    stats: () => http.stats(),
    close: () => http.close(async () => {
      if (identity !== undefined) await removeIfOurs(socketPath, identity, logger)
      logger.info({ socket: socketPath }, 'api stopped')
    })
  }
  try {
    const access = options.access ?? 'read'
    // The admin socket is the owner's alone: no group, whatever socketGroup says.
    identity = await publishSocket(bindPath, socketPath, access === 'admin' ? undefined : options.socketGroup, SOCKET_MODE[access])
  } catch (error) {
    await api.close()
    throw error
  }
  logger.info({ socket: socketPath, access: options.access ?? 'read' }, 'api listening')
  return api
}
