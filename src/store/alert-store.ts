/**
 * Alerting's durable state in the agent's SQLite database (tables from migrations.ts): the alert
 * instances (so firing alerts and their start times survive a restart), the history of resolved
 * alerts (GET /v1/alerts/history, pruned by age and by rows), the silences (written before the
 * API answers) and the notification log (so a restart does not re-notify). Every write is one
 * transaction; node:sqlite is synchronous, so a write has reached the WAL when the call returns.
 *
 * Rows are the alert core's plain JSON objects. A row that no longer parses (a file edited by
 * hand, a bug in an older agent) is skipped and counted in `corruptRows`, never fatal.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite'
import type { NotificationLogEntry } from '../alerts/grouping.ts'
import type { AlertInstance } from '../alerts/instance.ts'
import type { Silence } from '../alerts/silences.ts'

export interface AlertStoreOptions {
  historyRowsMax: number
  historyRetentionMs: number
}

export interface HistoryPageQuery {
  /** Only entries with an id below this (the previous page's `nextBefore`). */
  beforeId?: number
  /** Resolved at or after / before, epoch ms. */
  sinceMs?: number
  untilMs?: number
  limit: number
}

export interface HistoryEntry {
  id: number
  alert: AlertInstance
}

export interface HistoryPage {
  entries: HistoryEntry[]
  /** Pass as beforeId for the next (older) page; undefined when this is the last one. */
  nextBefore: number | undefined
}

export class AlertStore {
  private readonly db: DatabaseSync
  private readonly o: AlertStoreOptions
  corruptRows = 0
  private readonly upsertInstance: StatementSync
  private readonly deleteInstance: StatementSync
  private readonly insertHistory: StatementSync
  private readonly upsertSilenceRow: StatementSync
  private readonly deleteSilenceRow: StatementSync

  constructor(db: DatabaseSync, options: AlertStoreOptions) {
    this.db = db
    this.o = options
    this.upsertInstance = db.prepare('INSERT INTO alert_instances (fingerprint, row) VALUES (?, ?) ON CONFLICT (fingerprint) DO UPDATE SET row = excluded.row')
    this.deleteInstance = db.prepare('DELETE FROM alert_instances WHERE fingerprint = ?')
    this.insertHistory = db.prepare('INSERT INTO alert_history (fingerprint, alertname, severity, started_at_ms, resolved_at_ms, row) VALUES (?, ?, ?, ?, ?, ?)')
    this.upsertSilenceRow = db.prepare('INSERT INTO silences (id, row) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET row = excluded.row')
    this.deleteSilenceRow = db.prepare('DELETE FROM silences WHERE id = ?')
  }

  private parse<T>(text: unknown, ok: (v: unknown) => boolean): T | undefined {
    try {
      const value: unknown = JSON.parse(String(text))
      if (ok(value)) return value as T
    } catch {
      // counted below
    }
    this.corruptRows++
    return undefined
  }

  private rows<T>(sql: string, ok: (v: unknown) => boolean): T[] {
    const out: T[] = []
    for (const r of this.db.prepare(sql).all() as { row: unknown }[]) {
      const v = this.parse<T>(r.row, ok)
      if (v !== undefined) out.push(v)
    }
    return out
  }

  private transaction(fn: () => void): void {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      fn()
      this.db.exec('COMMIT')
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK')
      throw err
    }
  }

  loadInstances(): AlertInstance[] {
    return this.rows<AlertInstance>('SELECT row FROM alert_instances', isInstance)
  }

  /**
   * Writes changed instances and deletes forgotten ones, and appends the episodes that resolved
   * to history, in one transaction.
   */
  saveInstances(changed: Iterable<AlertInstance>, removed: Iterable<string>, resolved: Iterable<AlertInstance> = []): void {
    this.transaction(() => {
      for (const a of changed) this.upsertInstance.run(a.fingerprint, JSON.stringify(a))
      for (const fp of removed) this.deleteInstance.run(fp)
      for (const a of resolved) {
        this.insertHistory.run(a.fingerprint, a.rule, a.severity, a.activeAtMs, a.resolvedAtMs ?? a.lastSeenAtMs, JSON.stringify(a))
      }
    })
  }

  /** Resolved alerts, newest first, one page at a time. */
  history(q: HistoryPageQuery): HistoryPage {
    const where: string[] = []
    const args: number[] = []
    if (q.beforeId !== undefined) { where.push('id < ?'); args.push(q.beforeId) }
    if (q.sinceMs !== undefined) { where.push('resolved_at_ms >= ?'); args.push(q.sinceMs) }
    if (q.untilMs !== undefined) { where.push('resolved_at_ms < ?'); args.push(q.untilMs) }
    const sql = `SELECT id, row FROM alert_history ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY id DESC LIMIT ?`
    const rows = this.db.prepare(sql).all(...args, q.limit + 1) as { id: number; row: unknown }[]
    const entries: HistoryEntry[] = []
    for (const r of rows.slice(0, q.limit)) {
      const alert = this.parse<AlertInstance>(r.row, isInstance)
      if (alert !== undefined) entries.push({ id: Number(r.id), alert })
    }
    const last = rows.length > q.limit ? rows[q.limit - 1] : undefined
    return { entries, nextBefore: last === undefined ? undefined : Number(last.id) }
  }

  historyRows(): number {
    return Number((this.db.prepare('SELECT count(*) AS n FROM alert_history').get() as { n: number }).n)
  }

  /** Deletes history past its retention and beyond historyRowsMax (oldest first); returns how many. */
  pruneHistory(nowMs: number): number {
    let removed = 0
    this.transaction(() => {
      removed += Number(this.db.prepare('DELETE FROM alert_history WHERE resolved_at_ms < ?').run(nowMs - this.o.historyRetentionMs).changes)
      removed += Number(this.db.prepare('DELETE FROM alert_history WHERE id <= (SELECT max(id) FROM alert_history) - ?').run(this.o.historyRowsMax).changes)
    })
    return removed
  }

  loadSilences(): Silence[] {
    return this.rows<Silence>('SELECT row FROM silences', (v) => typeof v === 'object' && v !== null && typeof (v as Silence).id === 'string')
  }

  /** Writes silences (added, updated, expired) and forgets collected ones, in one transaction. */
  saveSilences(silences: Iterable<Silence>, removedIds: Iterable<string> = []): void {
    this.transaction(() => {
      for (const s of silences) this.upsertSilenceRow.run(s.id, JSON.stringify(s))
      for (const id of removedIds) this.deleteSilenceRow.run(id)
    })
  }

  loadNotificationLog(): NotificationLogEntry[] {
    return this.rows<NotificationLogEntry>('SELECT row FROM notification_log', (v) => typeof v === 'object' && v !== null && typeof (v as NotificationLogEntry).groupKey === 'string')
  }

  /** Replaces the notification log (bounded by the grouping's logEntriesMax). */
  saveNotificationLog(entries: readonly NotificationLogEntry[]): void {
    this.transaction(() => {
      this.db.exec('DELETE FROM notification_log')
      const insert = this.db.prepare('INSERT INTO notification_log (group_key, row) VALUES (?, ?)')
      for (const e of entries) insert.run(e.groupKey, JSON.stringify(e))
    })
  }
}

function isInstance(v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false
  const a = v as Partial<AlertInstance>
  return typeof a.fingerprint === 'string' && typeof a.rule === 'string' && typeof a.state === 'string' && typeof a.labels === 'object' && typeof a.activeAtMs === 'number' && typeof a.lastSeenAtMs === 'number'
}
