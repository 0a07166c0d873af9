/**
 * The database's schema, as an ordered list of migrations (database.ts applies the ones a
 * database lacks). Append only: never edit or reorder a released migration, since
 * `user_version` counts them. Another store adds its tables by appending its own entry.
 */
import type { Migration } from './database.ts'

export const MIGRATIONS: readonly Migration[] = [
  {
    name: 'metric history tables',
    // One table per resolution tier, keyed (bucket, series) WITHOUT ROWID: buckets only grow,
    // so every insert appends at the right edge of the b-tree (pages stay full) and pruning by
    // age deletes a prefix. Value columns are untyped, so the scaled integers metric-history.ts
    // writes stay 1-6 byte integers on disk (see point-codec.ts).
    sql: `
      CREATE TABLE metric_series (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        labels TEXT NOT NULL,
        unit TEXT NOT NULL,
        UNIQUE (name, labels)
      );
      CREATE TABLE metric_points_10s (bucket INTEGER NOT NULL, series INTEGER NOT NULL, min, max, sum NOT NULL, count, PRIMARY KEY (bucket, series)) WITHOUT ROWID;
      CREATE TABLE metric_points_1m (bucket INTEGER NOT NULL, series INTEGER NOT NULL, min, max, sum NOT NULL, count, PRIMARY KEY (bucket, series)) WITHOUT ROWID;
      CREATE TABLE metric_points_1h (bucket INTEGER NOT NULL, series INTEGER NOT NULL, min, max, sum NOT NULL, count, PRIMARY KEY (bucket, series)) WITHOUT ROWID;
    `
  }
]
