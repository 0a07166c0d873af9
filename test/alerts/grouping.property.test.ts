import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { createGrouping, groupOf, groupStep, notificationLogRows, type NotifiableAlert, type Notification } from '../../src/alerts/grouping.ts'
import { alert, T0 } from './fixtures.ts'

const S = 1000
const GROUP_WAIT = 30 * S
const GROUP_INTERVAL = 5 * 60 * S
const RETENTION = 15 * 60 * S
const HORIZON = 3 * 3600 * S
const TICK = 10 * S

interface Spec { name: string; peer: string; fireAt: number; resolveAt: number | null }

const specs = fc.uniqueArray(
  fc.record({
    name: fc.constantFrom('PeerDead', 'PeerSuspect', 'DiskSpaceLow'),
    peer: fc.constantFrom('a', 'b', 'c', 'd'),
    fireAt: fc.integer({ min: 0, max: 3600 }).map((s) => s * S),
    lasts: fc.option(fc.integer({ min: 1, max: 7200 }).map((s) => s * S), { nil: null })
  }).map(({ name, peer, fireAt, lasts }): Spec => ({ name, peer, fireAt, resolveAt: lasts === null ? null : fireAt + lasts })),
  { minLength: 1, maxLength: 8, selector: (s) => `${s.name}/${s.peer}` }
)

/** The notifiable set at time t: firing, then resolved (kept RETENTION, as the evaluator keeps it). */
function at(list: readonly Spec[], t: number): NotifiableAlert[] {
  const out: NotifiableAlert[] = []
  for (const s of list) {
    if (t < T0 + s.fireAt) continue
    if (s.resolveAt === null || t < T0 + s.resolveAt) out.push(alert(s.name, s.peer, 'firing', T0 + s.fireAt))
    else if (t < T0 + s.resolveAt + RETENTION) out.push(alert(s.name, s.peer, 'resolved', T0 + s.fireAt, T0 + s.resolveAt))
  }
  return out
}

function runAll(list: readonly Spec[], groupBy: string[], restartAtMs?: number): { notifications: Notification[]; restartLog?: ReturnType<typeof notificationLogRows> } {
  let g = createGrouping({ groupBy })
  const notifications: Notification[] = []
  let restartLog
  for (let t = T0; t <= T0 + HORIZON; t += TICK) {
    if (restartAtMs !== undefined && t === T0 + restartAtMs) {
      restartLog = JSON.parse(JSON.stringify(notificationLogRows(g)))
      g = createGrouping({ groupBy }, restartLog)
    }
    notifications.push(...groupStep(g, at(list, t), t))
  }
  return { notifications, restartLog }
}

const groupBys = fc.constantFrom(['alertname'], ['peer'], ['...'], [] as string[])

describe('grouping properties (fast-check)', () => {
  test('no notification ever lists an alert that resolved within groupWait', () => {
    fc.assert(fc.property(specs, groupBys, (list, groupBy) => {
      const quick = new Set(list.filter((s) => s.resolveAt !== null && s.resolveAt - s.fireAt < GROUP_WAIT).map((s) => alert(s.name, s.peer, 'firing', 0).fingerprint))
      for (const n of runAll(list, groupBy).notifications) for (const a of n.alerts) assert.ok(!quick.has(a.fingerprint), `${a.labels.alertname}/${a.labels.peer} resolved within groupWait but was notified`)
    }), { numRuns: 150 })
  })

  test('exactly one notification per group per interval: spaced by groupInterval, and every lasting alert is told', () => {
    fc.assert(fc.property(specs, groupBys, (list, groupBy) => {
      const { notifications } = runAll(list, groupBy)
      const last = new Map<string, Notification>()
      for (const n of notifications) {
        const before = last.get(n.groupKey)
        if (before !== undefined && before.status === 'firing') assert.ok(n.atMs - before.atMs >= GROUP_INTERVAL, `group ${n.groupKey} notified twice within ${n.atMs - before.atMs} ms`)
        last.set(n.groupKey, n)
        assert.equal(groupOf(n.alerts[0]!.labels, groupBy).key, n.groupKey)
      }
      for (const s of list) {
        const lasts = (s.resolveAt ?? HORIZON) - s.fireAt
        if (lasts < GROUP_WAIT + GROUP_INTERVAL + TICK || s.fireAt + GROUP_WAIT + GROUP_INTERVAL + TICK > HORIZON) continue
        const fp = alert(s.name, s.peer, 'firing', 0).fingerprint
        assert.ok(notifications.some((n) => n.alerts.some((a) => a.fingerprint === fp && a.status === 'firing')), `${s.name}/${s.peer} fired ${lasts} ms and was never told`)
        if (s.resolveAt !== null && s.resolveAt + GROUP_INTERVAL + TICK <= HORIZON) assert.ok(notifications.some((n) => n.alerts.some((a) => a.fingerprint === fp && a.status === 'resolved')), `${s.name}/${s.peer} resolution never told`)
      }
    }), { numRuns: 150 })
  })

  test('a restart does not re-notify what was already sent within the repeat interval', () => {
    fc.assert(fc.property(specs, groupBys, fc.integer({ min: 1, max: HORIZON / TICK - 1 }).map((k) => k * TICK), (list, groupBy, restartAtMs) => {
      const { notifications, restartLog } = runAll(list, groupBy, restartAtMs)
      const log = new Map(restartLog!.map((e) => [e.groupKey, e]))
      const firstAfter = new Set<string>()
      for (const n of notifications) {
        if (n.atMs < T0 + restartAtMs || firstAfter.has(n.groupKey)) continue
        firstAfter.add(n.groupKey)
        const entry = log.get(n.groupKey)
        if (entry === undefined) continue
        const news = n.alerts.some((a) => (a.status === 'firing' && !entry.firing.includes(a.fingerprint)) || (a.status === 'resolved' && !entry.resolved.includes(a.fingerprint)))
        assert.ok(news || n.atMs - entry.atMs >= 4 * 3600 * S, `group ${n.groupKey} re-notified after the restart with nothing new`)
      }
    }), { numRuns: 150 })
  })

  test('a stable set across a restart: zero notifications after it until the repeat interval', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1 }), fc.integer({ min: 10, max: 200 }), (peers, restartMin) => {
      const firing = () => peers.map((p) => alert('PeerDead', p, 'firing', T0))
      const g = createGrouping()
      const before: Notification[] = []
      for (let t = T0; t < T0 + restartMin * 60 * S; t += TICK) before.push(...groupStep(g, firing(), t))
      const restarted = createGrouping({}, JSON.parse(JSON.stringify(notificationLogRows(g))))
      const lastSent = before[before.length - 1]!.atMs
      for (let t = T0 + restartMin * 60 * S; t < lastSent + 4 * 3600 * S; t += 30 * S) assert.deepEqual(groupStep(restarted, firing(), t), [])
    }), { numRuns: 50 })
  })
})
