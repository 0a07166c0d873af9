/**
 * The agent's SQLite database (`node:sqlite`, built into Node 24) in the data dir, opened once
 * by the composition root and shared by the stores (metric history now; alert history and
 * silences later). WAL journal with synchronous=NORMAL: a committed transaction survives the
 * process being killed (SIGKILL, OOM) because it is in the WAL file the moment COMMIT returns;
 * only a power loss or kernel crash can take the last transactions (SQLite's documented WAL
 * trade-off), in exchange for no fsync per commit.
 *
 * Schema changes are an ordered list of migrations (migrations.ts). `PRAGMA user_version` holds
 * how many have been applied; opening applies the rest, each in its own transaction, and refuses
 * a database written by a newer agent (more migrations than this one knows) rather than guess.
 */
import { DatabaseSync } from 'node:sqlite'
import { HealthmonError } from '../errors.ts'

export interface Migration {
  /** What it does, for logs and errors: "metric history tables". */
  name: string
  /** SQL run once, in a transaction, when the database is below this migration. */
  sql: string
}

export interface OpenedDatabase {
  db: DatabaseSync
  /** Migrations applied by this open (0 when the schema was current). */
  applied: number
}

export function openDatabase(path: string, migrations: readonly Migration[]): OpenedDatabase {
  let db: DatabaseSync
  try {
    db = new DatabaseSync(path)
    // synchronous before journal_mode: switching a new file to WAL then costs one fsync, not
    // several (measured 10 ms instead of 25-60 ms here; the agent's event loop waits for it).
    db.exec('PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL;')
  } catch (err) {
    throw new HealthmonError('STORE_UNAVAILABLE', `cannot open the database ${path}: ${(err as Error).message}`, { cause: err })
  }
  const version = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version)
  if (version > migrations.length) {
    db.close()
    throw new HealthmonError('STORE_SCHEMA_NEWER', `the database ${path} has schema version ${version}, newer than this agent's ${migrations.length}: it was written by a newer healthmon`)
  }
  for (let i = version; i < migrations.length; i++) {
    const m = migrations[i]!
    try {
      db.exec('BEGIN IMMEDIATE')
      db.exec(m.sql)
      // PRAGMA takes no bound parameters; the value is our own integer.
      db.exec(`PRAGMA user_version = ${i + 1}`)
      db.exec('COMMIT')
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK')
      db.close()
      throw new HealthmonError('STORE_UNAVAILABLE', `migration ${i + 1} (${m.name}) of ${path} failed: ${(err as Error).message}`, { cause: err })
    }
  }
  return { db, applied: migrations.length - version }
}
