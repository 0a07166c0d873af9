/**
 * Crash safety of alert state (issue 11): a real child process writes alert instances with
 * resolved history, silences and the notification log through the real AlertStore as fast as it
 * can (fixtures/alert-writer.ts) and is SIGKILLed at seeded random moments, 8 times over the same
 * data dir. After each kill the database opens cleanly, PRAGMA integrity_check says ok, no row is
 * corrupt, and:
 * - instances and history moved together: exactly one instance, a<j>, and history's newest
 *   episode is h<j>, where j is the last acknowledged write or the one after it (a transaction
 *   either committed whole or not at all);
 * - every acknowledged episode in the pruned window is in history, each once;
 * - every acknowledged silence still kept is there, and none newer than j;
 * - the notification log is one whole replacement: LOG_ENTRIES entries, all from the same write.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { seededRandom } from '../../src/runtime/random.ts'
import { AlertStore } from '../../src/store/alert-store.ts'
import { openDatabase } from '../../src/store/database.ts'
import { MIGRATIONS } from '../../src/store/migrations.ts'
import { LOG_ENTRIES, SILENCES_KEPT } from './fixtures/alert-writer.ts'
import { writeUntilKilled } from './fixtures/kill-child.ts'

const WRITER = fileURLToPath(new URL('fixtures/alert-writer.ts', import.meta.url))
const T0 = Date.UTC(2026, 0, 1)
const ROUNDS = 8
/** Acknowledged episodes checked in history: well inside the writer's pruned window (HISTORY_ROWS_MAX). */
const HISTORY_CHECKED = 500

const indexOf = (prefix: string, id: string): number => {
  assert.ok(id.startsWith(prefix), `${id} starts with ${prefix}`)
  return Number(id.slice(prefix.length))
}

test(`SIGKILL at ${ROUNDS} seeded random moments during instance, history, silence and notification-log writes: clean reopen, integrity ok, nothing acknowledged lost, nothing torn`, { timeout: 120_000 }, async () => {
  const random = seededRandom(20261203)
  const dataDir = await mkdtemp(join(tmpdir(), 'hm-alert-crash-'))
  try {
    let next = 1
    let acknowledged = 0
    const acked: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const first = next
      const lastAck = await writeUntilKilled(WRITER, [dataDir, String(first), String(T0)], 20 + random.int(300))
      if (lastAck !== undefined) {
        for (let i = first; i <= lastAck; i++) acked.push(i)
        acknowledged = lastAck
      }

      const { db } = openDatabase(join(dataDir, 'healthmon.db'), MIGRATIONS)
      try {
        const integrity = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]
        assert.deepEqual(integrity.map((r) => r.integrity_check), ['ok'], `round ${round}`)
        const store = new AlertStore(db, { historyRowsMax: 1_000_000, historyRetentionMs: 10 * 365 * 86_400_000 })

        const instances = store.loadInstances()
        if (acknowledged === 0 && instances.length === 0) { next = first; continue }
        assert.equal(instances.length, 1, `round ${round}: one instance, got ${instances.map((a) => a.fingerprint).join(', ')}`)
        const j = indexOf('a', instances[0]!.fingerprint)
        assert.ok(j === acknowledged || j === acknowledged + 1, `round ${round}: instance a${j} after ack ${acknowledged}`)
        assert.equal(instances[0]!.state, 'firing')

        const history = store.history({ limit: 2_000 }).entries.map((e) => indexOf('h', e.alert.fingerprint))
        assert.equal(history[0], j, `round ${round}: the newest episode was written with the instance`)
        assert.equal(new Set(history).size, history.length, `round ${round}: each episode once`)
        const inHistory = new Set(history)
        const missing = acked.slice(-HISTORY_CHECKED).filter((i) => !inHistory.has(i))
        assert.deepEqual(missing.slice(0, 5), [], `round ${round}: acknowledged episodes in history`)

        const silences = store.loadSilences().map((s) => indexOf('s', s.id))
        assert.ok(Math.max(...silences) <= j && Math.max(...silences) >= acknowledged, `round ${round}: newest silence s${Math.max(...silences)} after ack ${acknowledged}`)
        const keptSilences = new Set(silences)
        const lostSilences = acked.filter((i) => i > j - SILENCES_KEPT + 1).filter((i) => !keptSilences.has(i))
        assert.deepEqual(lostSilences, [], `round ${round}: acknowledged silences kept`)
        assert.ok(silences.every((i) => i > j - SILENCES_KEPT - 1), `round ${round}: forgotten silences stay forgotten`)

        const log = store.loadNotificationLog()
        assert.equal(log.length, LOG_ENTRIES, `round ${round}: the log was replaced whole`)
        const stamps = new Set(log.map((e) => e.atMs))
        assert.equal(stamps.size, 1, `round ${round}: log entries from one write: ${[...stamps].join(', ')}`)
        const stamp = [...stamps][0]!
        assert.ok(stamp === acknowledged || stamp === acknowledged + 1, `round ${round}: log from write ${stamp} after ack ${acknowledged}`)
        assert.equal(store.corruptRows, 0)
        // The next round starts past every committed write, so no id is written twice.
        next = j + 1
      } finally {
        db.close()
      }
    }
    assert.ok(acknowledged > ROUNDS * 10, `the writer got real work done before each kill (${acknowledged} writes acknowledged)`)
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
})
