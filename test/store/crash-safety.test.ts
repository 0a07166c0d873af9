/**
 * Crash safety (issue 11): a real child process writes metric history and the incarnation file
 * as fast as it can and is SIGKILLed at seeded random moments, 8 times over the same data dir.
 * After each kill the database opens cleanly (recovering its WAL), PRAGMA integrity_check says
 * ok, every write the child acknowledged is there (a write is acknowledged only after its
 * transaction committed and its incarnation was renamed into place), and the incarnation file
 * holds the last acknowledged value or the one after it, never a torn or older one.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { readIncarnation } from '../../src/node/incarnation-file.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { openDatabase } from '../../src/store/database.ts'
import { MetricHistory } from '../../src/store/metric-history.ts'
import { MIGRATIONS } from '../../src/store/migrations.ts'
import { TIERS } from '../../src/store/point-codec.ts'
import { writeUntilKilled } from './fixtures/kill-child.ts'

const WRITER = fileURLToPath(new URL('fixtures/crash-writer.ts', import.meta.url))
const T0 = Date.UTC(2026, 0, 1)
const ROUNDS = 8

/** Runs the writer from `first`, SIGKILLs it `afterMs` after it is ready; resolves with the last "ack" read. */
function writeAndKill(dataDir: string, first: number, afterMs: number): Promise<number | undefined> {
  return writeUntilKilled(WRITER, [dataDir, String(first), String(T0)], afterMs)
}

test(`SIGKILL at ${ROUNDS} seeded random moments during history and incarnation writes: clean reopen, integrity ok, nothing acknowledged lost`, { timeout: 120_000 }, async () => {
  const random = seededRandom(20261202)
  const dataDir = await mkdtemp(join(tmpdir(), 'hm-crash-'))
  try {
    let next = 1
    let acknowledged = 0
    for (let round = 0; round < ROUNDS; round++) {
      const afterMs = 20 + random.int(300)
      const lastAck = await writeAndKill(dataDir, next, afterMs)
      if (lastAck !== undefined) acknowledged = Math.max(acknowledged, lastAck)

      const { db } = openDatabase(join(dataDir, 'healthmon.db'), MIGRATIONS)
      try {
        const integrity = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]
        assert.deepEqual(integrity.map((r) => r.integrity_check), ['ok'], `round ${round}`)
        const history = new MetricHistory(db, { seriesMax: 10, pendingPointsMax: 10_000 })
        // Only the 10 s tier's retention is kept at that resolution: check every acknowledged
        // write inside it (older ones are pruned by design).
        // The query also covers writes committed after the last ack read, so the next round
        // starts past them: rewriting a bucket would add to it, not replace it. Its span stays
        // inside the 10 s tier's retention, so the store answers from that tier.
        const tier = TIERS[0]!
        const AHEAD = 50
        const oldestKept = Math.max(1, acknowledged - Math.floor(tier.retentionMs / tier.resolutionMs) + AHEAD + 10)
        const points = history.query({ name: 'crash_probe', sinceMs: T0 + oldestKept * 10_000, untilMs: T0 + (acknowledged + AHEAD) * 10_000, stepMs: 10_000, pointsMax: 100_000 })?.series[0]?.points ?? []
        const present = new Set(points.map((p) => p.sum))
        const missing: number[] = []
        for (let i = oldestKept; i <= acknowledged && missing.length < 5; i++) if (!present.has(i)) missing.push(i)
        assert.deepEqual(missing, [], `round ${round}: acknowledged writes ${oldestKept}..${acknowledged} all present`)
        assert.equal(points.length, new Set(points.map((p) => p.atMs)).size)
        for (const p of points) assert.equal(p.count, 1, `round ${round}: bucket at ${p.atMs} written once`)
        const max = Math.max(0, ...points.map((p) => p.sum))
        next = Math.max(acknowledged, max) + 1
      } finally {
        db.close()
      }
      const incarnation = readIncarnation(dataDir)
      assert.ok(incarnation === acknowledged || incarnation === acknowledged + 1, `round ${round}: incarnation ${incarnation} after ack ${acknowledged}`)
      next = Math.max(next, incarnation + 1)
    }
    assert.ok(acknowledged > ROUNDS * 20, `the writer got real work done before each kill (${acknowledged} writes acknowledged)`)
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
})
