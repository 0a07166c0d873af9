/**
 * Refuses to serve from a directory where someone else could swap the socket file. Whoever can
 * write to the directory can unlink our socket and bind their own at the same path: clients would
 * then send check-ins (and read answers) from an impostor. Two cases are unsafe:
 * - the directory is world-writable without the sticky bit (with it, as on /tmp, only a file's
 *   owner may remove or rename it, so our socket stays ours);
 * - the directory is owned by another user who is not root (the owner can always change it).
 * Group write is left to the operator: a group-writable directory is a deliberate choice there.
 */
import { stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { HealthmonError } from '../errors.ts'

const WORLD_WRITABLE = 0o002
const STICKY = 0o1000

export interface DirOwnership {
  uid: number
  mode: number
}

/** The reason a directory is unsafe for `ourUid`, or undefined when it is safe. Pure, for tests. */
export function unsafeDirReason(dir: string, info: DirOwnership, ourUid: number): string | undefined {
  if ((info.mode & WORLD_WRITABLE) !== 0 && (info.mode & STICKY) === 0) {
    return `${dir} is world-writable without the sticky bit (mode ${(info.mode & 0o7777).toString(8).padStart(4, '0')}), so any user could replace the socket; chmod o-w or +t it, or choose another directory`
  }
  if (info.uid !== ourUid && info.uid !== 0) {
    return `${dir} is owned by uid ${info.uid}, neither this agent's user (uid ${ourUid}) nor root, so its owner could replace the socket; chown it or choose another directory`
  }
  return undefined
}

/** Throws SOCKET_DIR_UNSAFE naming `key` (socket or adminSocket) when the socket's directory is unsafe. */
export async function assertSafeSocketDir(socketPath: string, key: string): Promise<void> {
  const dir = dirname(socketPath)
  const info = await stat(dir)
  const ourUid = process.getuid?.() ?? info.uid
  const reason = unsafeDirReason(dir, { uid: info.uid, mode: info.mode }, ourUid)
  if (reason !== undefined) throw new HealthmonError('SOCKET_DIR_UNSAFE', `${key}: ${reason}`)
}
