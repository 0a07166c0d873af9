import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { matches, parseAlerts, parseHistory, parseStreamLine, parseView, withLiveStates, type FeedItem } from '../../src/dashboard/web/model.ts'
import { sparkPath } from '../../src/dashboard/web/sparkline.ts'
import { lanes, timelineWindowMs } from '../../src/dashboard/web/timeline.ts'
import { VIEW } from '../api/fixtures.ts'

/** The dashboard's pure parts: reading the agent's JSON defensively, live states, the timeline. */
describe('dashboard model', () => {
  test('parseView reads the socket API view, and empties what is absent', () => {
    const view = parseView(VIEW)
    assert.equal(view.self?.name, 'node-a')
    assert.equal(view.members.length, VIEW.peers.length)
    const c = view.members.find((m) => m.name === 'node-c')!
    assert.deepEqual([c.state, c.phi, c.agree, c.total, c.status], ['suspect', 8.123, 2, 3, 'degraded'])
    const empty = parseView({ peers: [{ id: 'x', state: 'weird', observers: 'no' }, null, 7] })
    assert.equal(empty.self, null)
    assert.deepEqual(empty.members.map((m) => [m.id, m.state, m.agree, m.status]), [['x', 'unknown', null, 'unknown']])
    assert.deepEqual(parseView(null).members, [])
  })

  test('parseAlerts reads AlertViews', () => {
    const items = parseAlerts({
      alerts: [
        { fingerprint: 'a', alertname: 'PeerDead', state: 'firing', severity: 'critical', subject: { kind: 'peer', id: 'p1', name: 'b' }, annotations: { summary: 'b is dead' }, startsAt: '2025-01-01T00:00:10Z', silencedBy: ['s1'], inhibited: false },
        { fingerprint: 'b', alertname: 'DiskFull', state: 'bogus', subject: { kind: 'self' }, startsAt: '2025-01-01T00:00:00Z' }
      ],
      matched: 2
    })
    assert.deepEqual(items.map((a) => [a.alertname, a.state, a.subjectId, a.subjectName, a.silencedBy]), [
      ['PeerDead', 'firing', 'p1', 'b', ['s1']],
      ['DiskFull', '', null, 'this node', []]
    ])
    assert.equal(items[0]!.summary, 'b is dead')
  })

  test('parseAlerts ignores entries that are not alerts (no alertname)', () => {
    assert.deepEqual(parseAlerts({ alerts: [{ id: 1, at: '2025-01-01T02:13:00.000Z', to: 'dead' }], matched: 1 }), [])
    assert.deepEqual(parseAlerts({ alerts: 'nope' }), [])
  })

  test('parseStreamLine: events, errors, and heartbeats ignored', () => {
    const line = { id: 4, type: 'peer:dead', at: '2025-01-01T00:00:01.000Z', data: { peer: 'p1', name: 'b', from: 'suspect', to: 'dead', reason: 'refusing' } }
    assert.deepEqual(parseStreamLine(line), { id: 4, type: 'peer:dead', atMs: Date.parse(line.at), peerId: 'p1', name: 'b', from: 'suspect', to: 'dead', text: 'refusing' })
    assert.equal(parseStreamLine({ type: 'heartbeat', at: 'x', lastId: 3 }), null)
    assert.deepEqual(parseStreamLine({ type: 'error', error: { code: 'SLOW_CONSUMER', message: 'too slow' } }), { error: 'too slow' })
    assert.equal(parseStreamLine('garbage'), null)
  })

  test('withLiveStates: an event newer than the view wins; an older one does not', () => {
    const view = parseView(VIEW)
    const b = view.members.find((m) => m.name === 'node-b')!
    const at = (ms: number): FeedItem => ({ id: 1, type: 'peer:dead', atMs: ms, peerId: b.id, name: 'node-b', from: 'alive', to: 'dead', text: '' })
    const built = view.generatedAtMs!
    assert.equal(withLiveStates(view, new Map([[b.id, at(built + 1)]])).members.find((m) => m.id === b.id)!.state, 'dead')
    assert.equal(withLiveStates(view, new Map([[b.id, at(built - 1)]])).members.find((m) => m.id === b.id)!.state, 'alive')
  })

  test('matches: name or id substring, exact state or status', () => {
    const view = parseView(VIEW)
    const names = (f: string): string[] => view.members.filter((m) => matches(m, f)).map((m) => m.name)
    assert.deepEqual(names('node-c'), ['node-c'])
    assert.deepEqual(names('dead'), ['node-d'])
    assert.deepEqual(names('degraded'), ['node-c'])
    assert.deepEqual(names('EEEE'), ['node-e'])
    assert.equal(names('').length, view.members.length)
  })

  test('timeline lanes: spans per state, clipped to the window, newest change first', () => {
    const now = 1_000_000
    const ev = (id: number, peer: string, to: string, atMs: number): FeedItem => ({ id, type: 'peer:x', atMs, peerId: peer, name: peer, from: '', to, text: '' })
    const events = [ev(1, 'a', 'alive', now - 900_000), ev(2, 'a', 'suspect', now - 60_000), ev(3, 'a', 'dead', now - 30_000), ev(4, 'b', 'alive', now - 10_000), ev(5, 'c', 'alive', now - 800_000)]
    const result = lanes(events, now, 120_000)
    assert.deepEqual(result.map((l) => l.name), ['b', 'a'])
    assert.deepEqual(result[1]!.segments, [
      { from: now - 120_000, to: now - 60_000, state: 'alive' },
      { from: now - 60_000, to: now - 30_000, state: 'suspect' },
      { from: now - 30_000, to: now, state: 'dead' }
    ])
    assert.equal(timelineWindowMs([], now), 60_000)
    assert.equal(timelineWindowMs(events, now), 600_000)
  })

  test('history points and the sparkline path', () => {
    const body = { series: [{ labels: {}, points: [{ at: '2025-01-01T00:00:00Z', avg: 1 }, { at: '2025-01-01T00:00:10Z', avg: 3 }, { at: 'bad', avg: 2 }] }] }
    const points = parseHistory(body)
    assert.deepEqual(points, [[Date.parse('2025-01-01T00:00:00Z'), 1], [Date.parse('2025-01-01T00:00:10Z'), 3]])
    assert.equal(sparkPath(points), 'M0.00,28.00 L100.00,2.00')
    assert.equal(sparkPath([]), '')
    assert.equal(sparkPath([[1, 5]]), 'M0,15 L100,15')
    assert.deepEqual(parseHistory({ series: [] }), [])
  })
})
