/**
 * The alert store on a real SQLite file: instances round-trip and are deleted, history pages
 * newest first and is pruned by age and by rows, silences and the notification log round-trip,
 * a corrupt row is skipped and counted, and everything is there after the database is reopened.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { AlertInstance } from '../../src/alerts/instance.ts'
import type { Silence } from '../../src/alerts/silences.ts'
import { AlertStore } from '../../src/store/alert-store.ts'
import { openDatabase } from '../../src/store/database.ts'
import { MIGRATIONS } from '../../src/store/migrations.ts'

const dir = mkdtempSync(join(tmpdir(), 'hm-alert-store-'))
after(() => rmSync(dir, { recursive: true, force: true }))

function instance(fp: string, state: AlertInstance['state'], atMs: number): AlertInstance {
  return {
    fingerprint: fp, rule: 'PeerDead', labels: { alertname: 'PeerDead', peer: fp }, annotations: { summary: `Peer ${fp} is dead` }, state, severity: 'critical',
    subject: { kind: 'peer', id: fp }, value: 1, activeAtMs: atMs, firedAtMs: atMs, resolvedAtMs: state === 'resolved' ? atMs + 1000 : null,
    lastNotifiedAtMs: null, lastTrueAtMs: atMs, lastSeenAtMs: atMs, holding: state !== 'resolved', firedTimesMs: [atMs]
  }
}

const silence: Silence = { id: 's1', matchers: [{ name: 'alertname', op: '=', value: 'PeerDead' }], startsAtMs: 1, endsAtMs: 10_000, createdBy: 'ops', comment: '', updatedAtMs: 1 }

test('instances, history, silences and the notification log survive reopening; history pages and prunes', () => {
  const path = join(dir, 'a.db')
  {
    const { db } = openDatabase(path, MIGRATIONS)
    const store = new AlertStore(db, { historyRowsMax: 3, historyRetentionMs: 100_000 })
    store.saveInstances([instance('x', 'firing', 1000), instance('y', 'firing', 2000)], [])
    store.saveInstances([], ['y'], [instance('a', 'resolved', 1000), instance('b', 'resolved', 2000), instance('c', 'resolved', 3000), instance('d', 'resolved', 200_000)])
    store.saveSilences([silence])
    store.saveNotificationLog([{ groupKey: '{}:{alertname="PeerDead"}', firing: ['f1'], resolved: [], atMs: 5 }])
    db.close()
  }
  const { db } = openDatabase(path, MIGRATIONS)
  const store = new AlertStore(db, { historyRowsMax: 3, historyRetentionMs: 100_000 })
  assert.deepEqual(store.loadInstances().map((a) => a.fingerprint), ['x'])
  assert.deepEqual(store.loadInstances()[0], instance('x', 'firing', 1000))
  const first = store.history({ limit: 2 })
  assert.deepEqual(first.entries.map((e) => e.alert.fingerprint), ['d', 'c'])
  const second = store.history({ limit: 2, beforeId: first.nextBefore })
  assert.deepEqual(second.entries.map((e) => e.alert.fingerprint), ['b', 'a'])
  assert.equal(second.nextBefore, undefined)
  assert.deepEqual(store.history({ limit: 10, sinceMs: 3_500, untilMs: 100_000 }).entries.map((e) => e.alert.fingerprint), ['c'])
  assert.deepEqual(store.loadSilences(), [silence])
  assert.equal(store.loadNotificationLog()[0]!.groupKey, '{}:{alertname="PeerDead"}')
  // Age: a, b, c resolved before 201_000 - 100_000; rows: at most 3 kept anyway.
  assert.equal(store.pruneHistory(201_000), 3)
  assert.deepEqual(store.history({ limit: 10 }).entries.map((e) => e.alert.fingerprint), ['d'])
  db.close()
})

test('a corrupt row is skipped and counted, the others load', () => {
  const { db } = openDatabase(join(dir, 'b.db'), MIGRATIONS)
  const store = new AlertStore(db, { historyRowsMax: 10, historyRetentionMs: 100_000 })
  store.saveInstances([instance('x', 'firing', 1000)], [])
  db.prepare("INSERT INTO alert_instances (fingerprint, row) VALUES ('bad', '{not json')").run()
  db.prepare("INSERT INTO alert_instances (fingerprint, row) VALUES ('odd', '{\"fingerprint\": 3}')").run()
  assert.deepEqual(store.loadInstances().map((a) => a.fingerprint), ['x'])
  assert.equal(store.corruptRows, 2)
  db.close()
})

test('rows beyond historyRowsMax go oldest first', () => {
  const { db } = openDatabase(join(dir, 'c.db'), MIGRATIONS)
  const store = new AlertStore(db, { historyRowsMax: 2, historyRetentionMs: 1e12 })
  store.saveInstances([], [], ['a', 'b', 'c', 'd'].map((fp, i) => instance(fp, 'resolved', i)))
  assert.equal(store.pruneHistory(10), 2)
  assert.deepEqual(store.history({ limit: 10 }).entries.map((e) => e.alert.fingerprint), ['d', 'c'])
  db.close()
})
