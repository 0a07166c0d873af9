/**
 * The database's schema, as an ordered list of migrations (database.ts applies the ones a
 * database lacks). Append only: never edit or reorder a released migration, since
 * `user_version` counts them. Another store adds its tables by appending its own entry.
 */
import type { Migration } from './database.ts'

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'metric history tables',
    // One table per resolution tier, keyed by one integer rowid, bucket * 2^16 + series
    // (point-codec.ts rowKey): buckets only grow, so every insert appends at the right edge of
    // the table b-tree, where SQLite's quick balance leaves full pages behind, and pruning by
    // age deletes a prefix. (scripts/bench-health.ts, full retention: a WITHOUT ROWID
    // (bucket, series) key took 253 KB per metric, this rowid key 230 KB with untyped columns
    // and 154 KB with the INTEGER affinity below.) Value columns have INTEGER affinity: node:sqlite binds every JS number
    // as a double, and the affinity turns the integral ones (point-codec.ts's scaled values)
    // into 1-6 byte integers on disk instead of 8-byte floats (a value too large to scale
    // stays a float).
    sql: `
      CREATE TABLE metric_series (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        labels TEXT NOT NULL,
        unit TEXT NOT NULL,
        UNIQUE (name, labels)
      );
      CREATE TABLE metric_points_10s (key INTEGER PRIMARY KEY, min INTEGER, max INTEGER, sum INTEGER NOT NULL, count INTEGER);
      CREATE TABLE metric_points_1m (key INTEGER PRIMARY KEY, min INTEGER, max INTEGER, sum INTEGER NOT NULL, count INTEGER);
      CREATE TABLE metric_points_1h (key INTEGER PRIMARY KEY, min INTEGER, max INTEGER, sum INTEGER NOT NULL, count INTEGER);
    `
  },
  {
    name: 'alert state, history, silences and notification log',
    // Rows are the pure core's plain JSON objects (src/alerts/persistence.ts, silences.ts,
    // grouping.ts) keyed by their identity: the store does not interpret them beyond the
    // columns it filters and prunes history on.
    sql: `
      CREATE TABLE alert_instances (fingerprint TEXT PRIMARY KEY, row TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE alert_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        fingerprint TEXT NOT NULL,
        alertname TEXT NOT NULL,
        severity TEXT NOT NULL,
        started_at_ms INTEGER NOT NULL,
        resolved_at_ms INTEGER NOT NULL,
        row TEXT NOT NULL
      );
      CREATE INDEX alert_history_resolved ON alert_history (resolved_at_ms);
      CREATE TABLE silences (id TEXT PRIMARY KEY, row TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE notification_log (group_key TEXT PRIMARY KEY, row TEXT NOT NULL) WITHOUT ROWID;
    `
  }
]
