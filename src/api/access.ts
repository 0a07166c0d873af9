/**
 * Which socket may call which route. Each route declares its access in routes.ts ('read' or
 * 'admin'); each listener has one role. The read socket (mode 0660, for the socket's group) serves
 * only read routes; the admin socket (mode 0600, the agent's user only, and root) serves both. The
 * file mode is the whole authorisation: connect(2) on a unix socket needs write permission on the
 * file, so the kernel refuses other users before any byte reaches the agent.
 */
import type { RouteError, RouteMatch } from './routes.ts'

/** A listener's role: 'read' serves read routes only, 'admin' serves every route. */
export type ListenerAccess = 'read' | 'admin'

/** File mode of each listener's socket file. */
export const SOCKET_MODE: Readonly<Record<ListenerAccess, number>> = { read: 0o660, admin: 0o600 }

/**
 * The 403 a listener answers for a route it does not serve, or undefined when it serves it.
 * `adminSocketPath` is named in the message so a caller knows where to go.
 */
export function accessDenied(match: RouteMatch, listener: ListenerAccess, adminSocketPath: string | undefined): RouteError | undefined {
  if (match.access !== 'admin' || listener === 'admin') return undefined
  const where = adminSocketPath === undefined ? 'the admin socket (adminSocket)' : `the admin socket ${adminSocketPath}`
  return {
    code: 'ADMIN_SOCKET_REQUIRED',
    message: `this request changes the agent's state and is served only on ${where}, which is open to the agent's user and root; this socket is read-only`
  }
}
