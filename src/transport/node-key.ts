import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { generateKey, preSharedKey } from '@libp2p/pnet'
import type { PrivateKey } from '@libp2p/interface'
import { ConfigError, HealthmonError } from '../errors.ts'

/**
 * The node's identity and the cluster secret.
 *
 * The node key is an Ed25519 key kept in `<dataDir>/node.key` (libp2p's protobuf key encoding).
 * The peer id is derived from it, so keeping the file keeps the peer id across restarts: peers
 * recognise a restarted node as the same member (with a higher incarnation) instead of a new one.
 *
 * The cluster key is a libp2p pnet pre-shared key file: only nodes holding the same key can
 * complete a connection handshake.
 */
export const NODE_KEY_FILE = 'node.key'

/** Loads the node key from `dataDir`, creating the directory (0700) and the key (0600) on first start. */
export async function loadOrCreateNodeKey(dataDir: string): Promise<PrivateKey> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, NODE_KEY_FILE)
  const existing = await readKeyFile(path)
  if (existing !== undefined) return existing

  const key = await generateKeyPair('Ed25519')
  // Write a temporary file, flush it, then hard-link it into place: the key file is either absent
  // or complete (a crash never leaves half a key), and link() fails instead of overwriting when
  // another process created the key in the meantime, in which case that key wins.
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(privateKeyToProtobuf(key))
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await link(tmp, path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  } finally {
    await unlink(tmp)
  }
  await syncDir(dataDir)
  const stored = await readKeyFile(path)
  if (stored === undefined) throw new HealthmonError('CONFIG_INVALID', `node key file ${path} vanished right after it was created`)
  return stored
}

async function readKeyFile(path: string): Promise<PrivateKey | undefined> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new HealthmonError('CONFIG_INVALID', `node key file ${path} cannot be read: ${(err as Error).message}`, { cause: err })
  }
  try {
    return privateKeyFromProtobuf(bytes)
  } catch (err) {
    // Never replace a corrupt key silently: a new key is a new peer id, which the rest of the
    // cluster would see as a different member. The operator decides (restore or delete the file).
    throw new HealthmonError('CONFIG_INVALID',
      `node key file ${path} is corrupt (${(err as Error).message}); restore it from a backup, or delete it to start as a new peer id`,
      { cause: err })
  }
}

async function syncDir(dir: string): Promise<void> {
  // The link must survive a power cut too; fsync on the directory persists its entry (Linux).
  const handle = await open(dir, 'r')
  try {
    await handle.sync()
  } catch {
    // Some platforms and file systems refuse fsync on a directory; the file itself is synced.
  } finally {
    await handle.close()
  }
}

const PSK_RULE = 'must be a libp2p pre-shared key file: "/key/swarm/psk/1.0.0/", "/base16/" and 64 hex digits on three lines'

/** Reads and checks a pnet pre-shared key file; throws ConfigError on the `clusterKeyFile` key. */
export function loadClusterKey(path: string): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(path)
  } catch (err) {
    throw new ConfigError('clusterKeyFile', `cannot be read: ${(err as Error).message}`, path)
  }
  const lines = new TextDecoder().decode(bytes).split(/\r?\n/)
  if (lines[0] !== '/key/swarm/psk/1.0.0/' || lines[1] !== '/base16/') throw new ConfigError('clusterKeyFile', PSK_RULE, path)
  try {
    // Let pnet itself parse the key, so what we accept is exactly what libp2p will accept.
    preSharedKey({ psk: bytes })()
  } catch {
    throw new ConfigError('clusterKeyFile', PSK_RULE, path)
  }
  return bytes
}

/** A fresh random pre-shared key in the pnet file format (95 bytes), ready to write to a file. */
export function generateClusterKey(): Uint8Array {
  const key = new Uint8Array(95)
  generateKey(key)
  return key
}
