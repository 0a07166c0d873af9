import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createGrouping, groupOf, groupStep, nextFlushMs, notificationLogRows, type GroupingState, type NotifiableAlert, type Notification } from '../../src/alerts/grouping.ts'
import { alert, T0 } from './fixtures.ts'

const S = 1000
const MIN = 60 * S


/** Steps every second from `fromMs` to `toMs` with the alerts `at(t)` gives; returns the notifications. */
function run(state: GroupingState, fromMs: number, toMs: number, at: (t: number) => NotifiableAlert[]): Notification[] {
  const out: Notification[] = []
  for (let t = fromMs; t <= toMs; t += S) out.push(...groupStep(state, at(t), t))
  return out
}

const summary = (ns: Notification[]) => ns.map((n) => `${(n.atMs - T0) / S}s ${n.status} ${n.alerts.map((a) => `${a.labels.peer}:${a.status}`).join(',')}`)

describe('grouping (Alertmanager semantics)', () => {
  test('group key and labels as Alertmanager prints them', () => {
    assert.deepEqual(groupOf({ alertname: 'PeerDead', peer: 'web-3', severity: 'critical' }, ['alertname']), { key: '{}:{alertname="PeerDead"}', labels: { alertname: 'PeerDead' } })
    assert.equal(groupOf({ b: '2', a: '1' }, ['...']).key, '{}:{a="1", b="2"}')
  })

  test('alerts starting together go out together after groupWait; changes wait for groupInterval', () => {
    const g = createGrouping()
    const out = run(g, T0, T0 + 12 * MIN, (t) => {
      const list = [alert('PeerDead', 'a', 'firing', T0), alert('PeerDead', 'b', 'firing', T0 + 5 * S)]
      if (t >= T0 + 2 * MIN) list.push(alert('PeerDead', 'c', 'firing', T0 + 2 * MIN))
      return list
    })
    // a at 0 s, b at 5 s: one notification at 30 s with a only (b has not fired 30 s yet), the
    // next flush (5 min later) adds b and c.
    assert.deepEqual(summary(out), ['30s firing a:firing', '330s firing a:firing,b:firing,c:firing'])
  })

  test('an alert resolved within groupWait never notifies', () => {
    const g = createGrouping()
    const out = run(g, T0, T0 + 10 * MIN, (t) => [alert('PeerDead', 'a', t < T0 + 20 * S ? 'firing' : 'resolved', T0, t < T0 + 20 * S ? null : T0 + 20 * S)])
    assert.deepEqual(out, [])
  })

  test('resolved goes out at the next flush, once; then the group ends', () => {
    const g = createGrouping()
    const out = run(g, T0, T0 + 20 * MIN, (t) => [alert('PeerDead', 'a', t < T0 + MIN ? 'firing' : 'resolved', T0, t < T0 + MIN ? null : T0 + MIN)])
    assert.deepEqual(summary(out), ['30s firing a:firing', '330s resolved a:resolved'])
    assert.equal(g.groups.size, 0)
    assert.equal(nextFlushMs(g), undefined)
  })

  test('repeatInterval: an unchanged firing group is re-sent every 4 h, not every 5 min', () => {
    const g = createGrouping()
    const out: Notification[] = []
    for (let t = T0; t <= T0 + 9 * 60 * MIN; t += 10 * S) out.push(...groupStep(g, [alert('PeerDead', 'a', 'firing', T0)], t))
    assert.deepEqual(out.map((n) => (n.atMs - T0) / MIN), [0.5, 240.5, 480.5])
  })

  test('restart: the rebuilt groups read the log and stay quiet within the repeat interval', () => {
    const g = createGrouping()
    const firing = () => [alert('PeerDead', 'a', 'firing', T0), alert('PeerDead', 'b', 'firing', T0)]
    assert.equal(run(g, T0, T0 + MIN, firing).length, 1)
    const rows = JSON.parse(JSON.stringify(notificationLogRows(g)))
    const restarted = createGrouping({}, rows)
    assert.deepEqual(run(restarted, T0 + 2 * MIN, T0 + 60 * MIN, firing), [])
    // ... but a new alert after the restart is news
    const news = run(restarted, T0 + 61 * MIN, T0 + 70 * MIN, () => [...firing(), alert('PeerDead', 'c', 'firing', T0 + 61 * MIN)])
    assert.deepEqual(summary(news), ['3750s firing a:firing,b:firing,c:firing']) // the rebuilt group flushes at 2.5 min + k x 5 min
  })

  test('bounded: past groupsMax new groups are refused and counted; the log forgets its oldest', () => {
    const g = createGrouping({ groupsMax: 3, logEntriesMax: 2, groupBy: ['peer'] })
    const alerts = ['a', 'b', 'c', 'd', 'e'].map((p) => alert('PeerDead', p, 'firing', T0))
    const out = run(g, T0, T0 + MIN, () => alerts)
    assert.equal(out.length, 3)
    assert.ok(g.counters.groupsRefused > 0)
    assert.equal(g.log.size, 2)
    assert.equal(g.counters.logForgotten, 1)
  })

  test('taking over an alert another agent notified: no second firing, but the resolution is told', () => {
    const g = createGrouping()
    const a = alert('PeerDead', 'a', 'firing', T0)
    const out: Notification[] = []
    for (let t = T0; t <= T0 + 20 * MIN; t += S) {
      const current = t < T0 + 3 * MIN ? [a] : [alert('PeerDead', 'a', 'resolved', T0, T0 + 3 * MIN)]
      out.push(...groupStep(g, current, t, new Set([a.fingerprint])))
    }
    assert.deepEqual(summary(out), ['330s resolved a:resolved'])
  })
})
