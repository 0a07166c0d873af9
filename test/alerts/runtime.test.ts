/**
 * The alerting runtime (src/daemon-alerts.ts) on virtual time over a real SQLite file: peer
 * alerts notify once, a restart restores firing alerts without re-notifying, silences mute and
 * survive restarts, two agents sharing marks notify once, the next observer takes over from a
 * dead one, resolved alerts page through history, and a throwing listener changes nothing.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import type { PeerFact } from '../../src/alerts/evaluator.ts'
import type { Silence } from '../../src/alerts/silences.ts'
import type { NotifiedMark } from '../../src/alerts/who-notifies.ts'
import { defaultConfig } from '../../src/config/profiles.ts'
import { validateConfig } from '../../src/config/load.ts'
import type { Config } from '../../src/config/schema.ts'
import { AlertRuntime, parseDurationMs, type AlertingGossip, type AlertNotice } from '../../src/daemon-alerts.ts'
import { DATABASE_FILE } from '../../src/daemon-health.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { openDatabase } from '../../src/store/database.ts'
import { MIGRATIONS } from '../../src/store/migrations.ts'

const dirs: string[] = []
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }) })

function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hm-alerts-'))
  dirs.push(dir)
  return join(dir, DATABASE_FILE)
}

interface World {
  peers: PeerFact[]
  live: Set<string>
  observers: Record<string, string[]>
}

function runtime(self: string, world: World, clock: VirtualClock, options: { dbPath?: string; config?: Partial<Config>; gossip?: AlertingGossip } = {}) {
  const config = validateConfig({ ...defaultConfig(), name: self, ...options.config })
  const db = options.dbPath === undefined ? undefined : openDatabase(options.dbPath, MIGRATIONS).db
  const notices: AlertNotice[] = []
  const rt = new AlertRuntime({
    config, clock, random: seededRandom(7), logger: silentLogger(), db, gossip: options.gossip, checks: () => [],
    cluster: {
      selfId: () => self,
      peers: () => world.peers.filter((p) => p.id !== self),
      observersOf: (s) => world.observers[s] ?? [],
      isLive: (id) => world.live.has(id),
      nameOf: (id) => world.peers.find((p) => p.id === id)?.name,
      facts: () => ({ eventLoopLagMs: 0, awareness: 0, isolated: false })
    }
  })
  rt.onAlert((n) => { notices.push(n) })
  const notifications = () => notices.flatMap((n) => (n.kind === 'notification' ? [n.notification] : []))
  return { rt, notices, notifications, close: async () => { await rt.stop(); db?.close() } }
}

/** Advances in evaluation steps (the runtime's own timer runs them). */
function run(clock: VirtualClock, ms: number): void {
  clock.advance(ms)
}

function world(): World {
  return {
    peers: [{ id: 'a', name: 'node-a', state: 'alive' }, { id: 'b', name: 'node-b', state: 'alive' }, { id: 'x', name: 'node-x', state: 'alive' }],
    live: new Set(['a', 'b', 'x']),
    observers: { x: ['a', 'b'], a: ['b', 'x'], b: ['x', 'a'] }
  }
}

function kill(w: World, id: string): void {
  w.peers = w.peers.map((p) => (p.id === id ? { ...p, state: 'dead' } : p))
  w.live.delete(id)
}

function revive(w: World, id: string): void {
  w.peers = w.peers.map((p) => (p.id === id ? { ...p, state: 'alive' } : p))
  w.live.add(id)
}

/** In-process gossip between runtimes, delivered after `delayMs` of virtual time. */
function gossipHub(clock: VirtualClock, delayMs: number) {
  const listeners = new Map<string, (u: { from: string; marks: readonly NotifiedMark[]; silences: readonly Silence[] }) => void>()
  const of = (self: string): AlertingGossip => ({
    publish(update) {
      for (const [id, listener] of listeners) {
        if (id === self) continue
        clock.setTimeout(() => listener({ from: self, marks: update.marks ?? [], silences: update.silences ?? [] }), delayMs)
      }
    },
    subscribe(listener) {
      listeners.set(self, listener)
      return () => listeners.delete(self)
    }
  })
  return { of }
}

describe('alert runtime', () => {
  test('a dead peer: pending->firing at once, one notification after groupWait, resolved once when it returns', async () => {
    const clock = new VirtualClock()
    const w = world()
    const a = runtime('a', w, clock)
    a.rt.start()
    run(clock, 5_000)
    kill(w, 'x')
    run(clock, 2_000)
    const firing = a.rt.alerts({ state: new Set(['firing']) })
    assert.equal(firing.matched, 1)
    assert.equal(firing.alerts[0]!.alertname, 'PeerDead')
    assert.deepEqual(firing.alerts[0]!.subject, { kind: 'peer', id: 'x', name: 'node-x' })
    assert.equal(a.rt.activeAlerts().length, 1)
    assert.equal(a.notifications().length, 0, 'nothing before groupWait')
    run(clock, 30_000)
    assert.equal(a.notifications().length, 1)
    assert.equal(a.notifications()[0]!.status, 'firing')
    assert.deepEqual(a.rt.alerts({}).alerts[0]!.notifiedBy.map((m) => [m.by, m.status]), [['a', 'firing']])
    run(clock, 3_600_000)
    assert.equal(a.notifications().length, 1, 'no repeat within the repeat interval (4 h)')
    revive(w, 'x')
    run(clock, 6 * 60_000)
    const sent = a.notifications()
    assert.equal(sent.length, 2)
    assert.equal(sent[1]!.status, 'resolved')
    assert.equal(a.rt.activeAlerts().length, 0)
    await a.close()
  })

  test('an alert resolved within groupWait never notifies; a throwing listener is counted and changes nothing', async () => {
    const clock = new VirtualClock()
    const w = world()
    const a = runtime('a', w, clock)
    a.rt.onAlert(() => { throw new Error('listener bug') })
    a.rt.start()
    kill(w, 'x')
    run(clock, 5_000)
    revive(w, 'x')
    run(clock, 10 * 60_000)
    assert.equal(a.notifications().length, 0)
    assert.ok(a.rt.callbacks.errors > 0)
    assert.equal(a.rt.counters.stepErrors, 0)
    await a.close()
  })

  test('a restart restores the firing alert and its start time, and does not notify it again', async () => {
    const clock = new VirtualClock()
    const dbPath = tempDb()
    const w = world()
    const first = runtime('a', w, clock, { dbPath })
    first.rt.start()
    kill(w, 'x')
    run(clock, 40_000)
    assert.equal(first.notifications().length, 1)
    const startsAt = first.rt.alerts({}).alerts[0]!.startsAt
    await first.close()
    run(clock, 120_000) // down for two minutes
    const second = runtime('a', w, clock, { dbPath })
    assert.equal(second.rt.alerts({ state: new Set(['firing']) }).alerts[0]?.startsAt, startsAt)
    second.rt.start()
    run(clock, 30 * 60_000)
    assert.equal(second.notifications().length, 0, 'the notification log says it was sent')
    assert.equal(second.rt.alerts({}).alerts[0]!.state, 'firing')
    await second.close()
  })

  test('a silence mutes matching alerts, is answered only once written, and holds after a restart', async () => {
    const clock = new VirtualClock()
    const dbPath = tempDb()
    const w = world()
    const first = runtime('a', w, clock, { dbPath })
    first.rt.start()
    const s = first.rt.addSilence({ matchers: ['alertname=PeerDead', 'peer=node-x'], duration: '2h', createdBy: 'ops', comment: 'rack 4' })
    assert.equal(s.status, 'active')
    assert.throws(() => first.rt.addSilence({ matchers: ['peer=~".*"'], duration: '1h', createdBy: 'ops' }), { code: 'SILENCE_INVALID' })
    assert.throws(() => first.rt.addSilence({ matchers: ['peer=x'], createdBy: 'ops' }), /"endsAt" or "duration" is required/)
    await first.close()
    const second = runtime('a', w, clock, { dbPath })
    second.rt.start()
    assert.deepEqual(second.rt.silences().map((x) => x.id), [s.id])
    kill(w, 'x')
    run(clock, 60_000)
    const alert = second.rt.alerts({}).alerts[0]!
    assert.deepEqual(alert.silencedBy, [s.id])
    assert.equal(second.rt.activeAlerts().length, 0, 'a silenced alert does not count for health')
    assert.equal(second.notifications().length, 0)
    second.rt.expireSilence(s.id)
    run(clock, 60_000)
    assert.equal(second.notifications().length, 1, 'notifies once the silence ends')
    assert.throws(() => second.rt.expireSilence(s.id), { code: 'SILENCE_NOT_FOUND' })
    await second.close()
  })

  test('two observers sharing marks: the first in ring order notifies, once; the second takes over when the first is dead', async () => {
    const clock = new VirtualClock()
    const w = world()
    const hub = gossipHub(clock, 1_000)
    const a = runtime('a', w, clock, { gossip: hub.of('a') })
    const b = runtime('b', w, clock, { gossip: hub.of('b') })
    a.rt.start()
    b.rt.start()
    kill(w, 'x')
    run(clock, 10 * 60_000)
    assert.equal(a.notifications().filter((n) => n.status === 'firing').length, 1)
    assert.equal(b.notifications().length, 0)
    const seenAtB = b.rt.alerts({}).alerts[0]!
    assert.deepEqual(seenAtB.notifiedBy.map((m) => m.by), ['a'])
    assert.match(seenAtB.notNotifiedBecause ?? '', /notified-by-other a/)

    // A new incident about b's subject... this time the first observer (a) is dead too.
    const w2 = world()
    w2.observers = { x: ['a', 'b'] }
    const hub2 = gossipHub(clock, 1_000)
    const b2 = runtime('b', w2, clock, { gossip: hub2.of('b') })
    b2.rt.start()
    kill(w2, 'a')
    kill(w2, 'x')
    run(clock, 10 * 60_000)
    const aboutX = b2.notifications().filter((n) => n.alerts.some((x) => x.labels['peer'] === 'node-x'))
    assert.equal(aboutX.length, 1, 'b notifies about x since a, before it in ring order, is dead')
    await Promise.all([a.close(), b.close(), b2.close()])
  })

  test('resolved alerts page through history, newest first', async () => {
    const clock = new VirtualClock()
    const dbPath = tempDb()
    const w = world()
    const a = runtime('a', w, clock, { dbPath })
    a.rt.start()
    for (let i = 0; i < 3; i++) {
      kill(w, 'x')
      run(clock, 60_000)
      revive(w, 'x')
      run(clock, 60_000)
    }
    const page = a.rt.history({ limit: 2 })
    assert.equal(page.alerts.length, 2)
    assert.ok(page.alerts.every((x) => x.state === 'resolved' && x.alertname === 'PeerDead'))
    assert.ok(page.alerts[0]!.id > page.alerts[1]!.id)
    const rest = a.rt.history({ limit: 2, beforeId: page.nextBefore! })
    assert.equal(rest.alerts.length, 1)
    assert.equal(rest.nextBefore, null)
    await a.close()
  })

  test('metric samples feed threshold rules from the config', async () => {
    const clock = new VirtualClock()
    const w = world()
    const a = runtime('a', w, clock, { config: { alertRules: [{ name: 'QueueDeep', metric: 'app_queue_depth', warning: '~:100', critical: '~:1000' }] } })
    a.rt.start()
    a.rt.admit([{ name: 'app_queue_depth', labels: { queue: 'mail' }, value: 5000, unit: 'none', atMs: clock.now() }])
    run(clock, 1_000)
    const alert = a.rt.alerts({}).alerts.find((x) => x.alertname === 'QueueDeep')!
    assert.equal(alert.severity, 'critical')
    assert.equal(alert.labels['queue'], 'mail')
    assert.deepEqual(a.rt.alertCounts().find((c) => c.alertname === 'QueueDeep'), { alertname: 'QueueDeep', alertstate: 'firing', severity: 'critical', count: 1 })
    await a.close()
  })
})

test('durations: 90s, 2h, 1h30m, milliseconds; anything else is undefined', () => {
  assert.equal(parseDurationMs('90s'), 90_000)
  assert.equal(parseDurationMs('2h'), 7_200_000)
  assert.equal(parseDurationMs('1h30m'), 5_400_000)
  assert.equal(parseDurationMs(1500), 1500)
  assert.equal(parseDurationMs('1500'), 1500)
  for (const bad of ['', 'h', '2x', '-1h', '1h ', '0s', 0, -5, 1.5]) assert.equal(parseDurationMs(bad), undefined, String(bad))
})
