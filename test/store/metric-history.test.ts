/**
 * Metric history on real SQLite files: migrations and the schema version, downsampling into the
 * three tiers (min, max, sum, count), merging a bucket across flushes, pending points visible to
 * queries, pruning by age, the series and pending bounds, and persistence across SIGKILL of a
 * real child process and a reopen.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DatabaseSync } from 'node:sqlite'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { HealthmonError } from '../../src/errors.ts'
import type { Sample } from '../../src/health/types.ts'
import { openDatabase } from '../../src/store/database.ts'
import { chooseTier, MetricHistory } from '../../src/store/metric-history.ts'
import { MIGRATIONS } from '../../src/store/migrations.ts'
import { decodeValue, encodeValue, scaleOf } from '../../src/store/point-codec.ts'

const dir = mkdtempSync(join(tmpdir(), 'hm-history-'))
after(() => rmSync(dir, { recursive: true, force: true }))
let n = 0
const freshPath = () => join(dir, `h${n++}.db`)
const open = (path = freshPath(), options = { seriesMax: 100, pendingPointsMax: 100_000 }) => new MetricHistory(openDatabase(path, MIGRATIONS).db, options)
// An hour boundary, so the 1 min and 1 h buckets line up with the test's arithmetic.
const T0 = 1_800_000_000_000 - (1_800_000_000_000 % 3_600_000)
const load = (value: number, atMs: number, labels: Record<string, string> = {}): Sample => ({ name: 'node_load1', labels, value, unit: 'none', atMs })
const MIN = 60_000
const HOUR = 3_600_000

describe('database', () => {
  test('opens in WAL mode, applies the migrations once, records the schema version', () => {
    const path = freshPath()
    const first = openDatabase(path, MIGRATIONS)
    assert.equal(first.applied, MIGRATIONS.length)
    assert.equal((first.db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal')
    first.db.close()
    const again = openDatabase(path, MIGRATIONS)
    assert.equal(again.applied, 0)
    assert.equal(Number((again.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version), MIGRATIONS.length)
    again.db.close()
  })

  test('a later migration list applies only the new entries', () => {
    const path = freshPath()
    openDatabase(path, MIGRATIONS).db.close()
    const more = [...MIGRATIONS, { name: 'alert tables', sql: 'CREATE TABLE alerts (id INTEGER PRIMARY KEY)' }]
    const r = openDatabase(path, more)
    assert.equal(r.applied, 1)
    r.db.prepare('INSERT INTO alerts (id) VALUES (1)').run()
    r.db.close()
  })

  test('a database from a newer agent is refused (STORE_SCHEMA_NEWER), a failing migration rolls back (STORE_UNAVAILABLE)', () => {
    const path = freshPath()
    const db = new DatabaseSync(path)
    db.exec(`PRAGMA user_version = ${MIGRATIONS.length + 5}`)
    db.close()
    assert.throws(() => openDatabase(path, MIGRATIONS), (e: unknown) => e instanceof HealthmonError && e.code === 'STORE_SCHEMA_NEWER')
    const bad = freshPath()
    assert.throws(() => openDatabase(bad, [...MIGRATIONS, { name: 'broken', sql: 'CREATE TABLE x (; nonsense' }]), (e: unknown) => e instanceof HealthmonError && e.code === 'STORE_UNAVAILABLE')
    const r = openDatabase(bad, MIGRATIONS)
    assert.equal(r.applied, 0, 'the good migrations before the broken one were kept')
    r.db.close()
  })
})

describe('point encoding', () => {
  test('values come back within the unit\'s precision', () => {
    const table: [string, number, number][] = [['percent', 12.3456, 0.005], ['ratio', 0.123456, 0.00005], ['seconds', 0.0012345, 6e-7], ['bytes', 8_123_456_789, 0], ['none', 1.23456, 0.0005], ['counter', 1e17, 1]]
    for (const [unit, v, tolerance] of table) {
      const back = decodeValue(encodeValue(v, scaleOf(unit)), scaleOf(unit))
      assert.ok(Math.abs(back - v) <= tolerance, `${unit}: ${v} -> ${back}`)
    }
  })
})

describe('metric history', () => {
  test('10 s points downsample into 1 min and 1 h points keeping min, max, sum and count', () => {
    const h = open()
    for (let i = 0; i < 360; i++) h.record([load(i % 60, T0 + i * 10_000)])
    h.flush(T0 + HOUR)
    const fine = h.query({ name: 'node_load1', sinceMs: T0, untilMs: T0 + HOUR - 1, stepMs: 10_000, pointsMax: 10_000 })!
    assert.equal(fine.resolutionMs, 10_000)
    assert.equal(fine.series[0]!.points.length, 360)
    const minute = h.query({ name: 'node_load1', sinceMs: T0, untilMs: T0 + HOUR - 1, stepMs: MIN, pointsMax: 10_000 })!
    assert.equal(minute.resolutionMs, MIN)
    assert.equal(minute.series[0]!.points.length, 60)
    assert.deepEqual(minute.series[0]!.points[1], { atMs: T0 + MIN, min: 6, max: 11, sum: 6 + 7 + 8 + 9 + 10 + 11, count: 6 })
    const hourly = h.query({ name: 'node_load1', sinceMs: T0, untilMs: T0 + HOUR - 1, stepMs: HOUR, pointsMax: 10_000 })!
    assert.equal(hourly.resolutionMs, HOUR)
    assert.deepEqual(hourly.series[0]!.points, [{ atMs: T0, min: 0, max: 59, sum: 6 * (59 * 60) / 2, count: 360 }])
  })

  test('a bucket flushed half-full is completed by the next flush; unflushed points are visible to queries', () => {
    const h = open()
    for (let i = 0; i < 3; i++) h.record([load(i + 1, T0 + i * 10_000)])
    h.flush(T0 + 30_000)
    for (let i = 3; i < 6; i++) h.record([load(i + 1, T0 + i * 10_000)])
    const q = () => h.query({ name: 'node_load1', sinceMs: T0, untilMs: T0 + MIN - 1, stepMs: MIN, pointsMax: 100 })!.series[0]!.points
    assert.deepEqual(q(), [{ atMs: T0, min: 1, max: 6, sum: 21, count: 6 }], 'before the second flush: database + pending')
    h.flush(T0 + MIN)
    assert.equal(h.pendingPoints, 0)
    assert.deepEqual(q(), [{ atMs: T0, min: 1, max: 6, sum: 21, count: 6 }], 'after it: merged in SQLite')
  })

  test('one series per label set; labels in any order are the same series', () => {
    const h = open()
    h.record([load(1, T0, { a: '1', b: '2' }), load(2, T0 + 10_000, { b: '2', a: '1' }), load(5, T0, { a: 'other' })])
    const r = h.query({ name: 'node_load1', sinceMs: T0, untilMs: T0 + MIN, stepMs: MIN, pointsMax: 100 })!
    assert.equal(r.series.length, 2)
    assert.equal(h.seriesCount, 2)
    assert.equal(h.query({ name: 'no_such_metric', sinceMs: T0, untilMs: T0 + MIN, pointsMax: 100 }), undefined)
  })

  test('points older than each tier\'s retention are pruned on flush', () => {
    const path = freshPath()
    const h = open(path)
    h.record([load(1, T0), load(2, T0 + 7 * HOUR)])
    h.flush(T0 + 7 * HOUR)
    const db = new DatabaseSync(path, { readOnly: true })
    const sums = (table: string) => (db.prepare(`SELECT sum FROM ${table} ORDER BY key`).all() as { sum: number }[]).map((r) => Number(r.sum) / scaleOf('none'))
    assert.deepEqual(sums('metric_points_10s'), [2], '10 s tier keeps 6 h')
    assert.deepEqual(sums('metric_points_1m'), [1, 2], '1 min tier keeps 48 h')
    h.record([load(3, T0 + 50 * HOUR)])
    h.flush(T0 + 50 * HOUR)
    assert.deepEqual(sums('metric_points_1m'), [2, 3], 'and drops what is older than 48 h')
    assert.deepEqual(sums('metric_points_1h'), [1, 2, 3], '1 h tier keeps 30 days')
    db.close()
  })

  test('the default step keeps to the asked number of points and reads the finest tier that holds the range', () => {
    assert.equal(chooseTier(HOUR, undefined), 0)
    assert.equal(chooseTier(24 * HOUR, undefined), 1)
    assert.equal(chooseTier(7 * 24 * HOUR, undefined), 2)
    assert.equal(chooseTier(HOUR, HOUR), 2, 'a 1 h step reads the 1 h tier')
    assert.equal(chooseTier(90 * 24 * HOUR, undefined), 2, 'older than every tier: the coarsest')
    const h = open()
    for (let i = 0; i < 360; i++) h.record([load(1, T0 + i * 10_000)])
    const r = h.query({ name: 'node_load1', sinceMs: T0, untilMs: T0 + HOUR, pointsMax: 60 })!
    assert.equal(r.stepMs, MIN)
    assert.ok(r.series[0]!.points.length <= 61)
  })

  test('bounds: series beyond seriesMax are refused, pending points beyond the max dropped, both counted', () => {
    const h = open(freshPath(), { seriesMax: 2, pendingPointsMax: 7 })
    h.record([load(1, T0, { s: 'a' }), load(1, T0, { s: 'b' }), load(1, T0, { s: 'c' })])
    assert.equal(h.seriesCount, 2)
    assert.equal(h.stats.seriesRefused, 1)
    for (let i = 1; i < 4; i++) h.record([load(1, T0 + i * 10_000, { s: 'a' })])
    assert.equal(h.pendingPoints, 7)
    assert.ok(h.stats.pointsDropped > 0)
  })

  test('series and points survive a reopen of the file', () => {
    const path = freshPath()
    const h = open(path)
    h.record([load(3, T0)])
    h.flush(T0 + 10_000)
    const again = open(path)
    assert.deepEqual(again.names(), ['node_load1'])
    assert.deepEqual(again.query({ name: 'node_load1', sinceMs: T0, untilMs: T0 + 10_000, stepMs: 10_000, pointsMax: 10 })!.series[0]!.points.map((p) => p.sum), [3])
  })

  test('SIGKILL of a real writer loses only what was not flushed', { timeout: 60_000 }, async () => {
    const path = freshPath()
    const writer = fileURLToPath(new URL('fixtures/history-writer.ts', import.meta.url))
    const child = spawn(process.execPath, [writer, path, '30', '12', String(T0)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('ready')) resolve() })
        child.once('exit', (code) => reject(new Error(`writer exited early (${code}): ${stderr}`)))
      })
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
      await exited
    }
    assert.equal(child.signalCode, 'SIGKILL')
    const h = open(path)
    const points = h.query({ name: 'node_load1', sinceMs: T0, untilMs: T0 + HOUR, stepMs: 10_000, pointsMax: 10_000 })!.series[0]!.points
    assert.deepEqual(points.map((p) => p.sum), Array.from({ length: 30 }, (_, i) => i), 'the 30 flushed points, none of the 12 unflushed')
  })
})
