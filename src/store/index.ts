/**
 * store: the agent's SQLite database (node:sqlite, WAL) in the data dir. `openDatabase` applies
 * an ordered list of migrations (`MIGRATIONS`; a new store appends its own), and `MetricHistory`
 * keeps multi-resolution metric series (10 s for 6 h, 1 min for 48 h, 1 h for 30 days).
 * Depends on errors and the health types only.
 */
export { openDatabase, type Migration, type OpenedDatabase } from './database.ts'
export { MIGRATIONS } from './migrations.ts'
export { MetricHistory, chooseTier, labelKey, type HistoryQuery, type HistoryResult, type MetricHistoryOptions } from './metric-history.ts'
export { TIERS, type Tier } from './point-codec.ts'
