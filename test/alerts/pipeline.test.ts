import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { effectiveRules } from '../../src/alerts/builtin-rules.ts'
import { createEvaluator, evaluate, type PeerFact } from '../../src/alerts/evaluator.ts'
import { createGrouping, notificationLogRows, type Notification } from '../../src/alerts/grouping.ts'
import { alertRows, restoreAlerts } from '../../src/alerts/persistence.ts'
import { BUILTIN_INHIBIT_RULES, compileInhibitRule } from '../../src/alerts/inhibition.ts'
import { createPipeline, pipelineStep, type ClusterFacts } from '../../src/alerts/pipeline.ts'
import { createSilenceSet, upsertSilence } from '../../src/alerts/silences.ts'
import type { NotifiedMark } from '../../src/alerts/who-notifies.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { T0 } from './fixtures.ts'

const S = 1000
const peerRules = effectiveRules([]).filter((r) => r.name.startsWith('Peer') || r.name === 'NodeIsolated')
const PEERS = ['p0', 'p1', 'p2', 'p3', 'p4']

function facts(self = 'me', marks: NotifiedMark[] = [], live: (id: string) => boolean = () => true): ClusterFacts {
  return { self, observersOf: () => [self, 'other'], isLive: live, marksFor: (fp) => marks.filter((m) => m.fingerprint === fp), handoverDelayMs: 30 * S }
}

describe('pipeline: inhibition, silences, who notifies, grouping', () => {
  test('silenced and inhibited alerts never notify (fast-check over peer-state timelines and silences)', () => {
    const state = fc.constantFrom<PeerFact['state']>('alive', 'suspect', 'dead', 'missing')
    const timeline = fc.array(fc.record({ atS: fc.integer({ min: 0, max: 1800 }), peer: fc.integer({ min: 0, max: 4 }), state }), { minLength: 1, maxLength: 30 })
    const silence = fc.option(fc.record({ peer: fc.integer({ min: 0, max: 4 }), fromS: fc.integer({ min: 0, max: 1800 }), lastsS: fc.integer({ min: 1, max: 1800 }), name: fc.constantFrom('PeerDead', 'PeerSuspect', 'PeerMissing') }), { nil: undefined })
    fc.assert(fc.property(timeline, fc.array(silence, { maxLength: 3 }), fc.boolean(), (changes, silences, isolatedHalfway) => {
      const ev = createEvaluator({ rules: peerRules, selfName: 'me' })
      const set = createSilenceSet()
      silences.forEach((s, i) => {
        if (s === undefined) return
        upsertSilence(set, { id: `s${i}`, matchers: [{ name: 'alertname', op: '=', value: s.name }, { name: 'peer', op: '=', value: PEERS[s.peer]! }], startsAtMs: T0 + s.fromS * S, endsAtMs: T0 + (s.fromS + s.lastsS) * S, createdBy: 't', comment: '', updatedAtMs: T0 }, T0)
      })
      const pipe = createPipeline(createGrouping({ groupBy: ['alertname', 'peer'] }), set, BUILTIN_INHIBIT_RULES.map(compileInhibitRule))
      const states = new Map(PEERS.map((p) => [p, 'alive' as PeerFact['state']]))
      const sorted = [...changes].sort((a, b) => a.atS - b.atS)
      let next = 0
      for (let t = 0; t <= 3600; t += 5) {
        while (next < sorted.length && sorted[next]!.atS <= t) { states.set(PEERS[sorted[next]!.peer]!, sorted[next]!.state); next++ }
        const now = T0 + t * S
        evaluate(ev, { peers: PEERS.map((id) => ({ id, name: id, state: states.get(id)! })), node: { isolated: isolatedHalfway && t >= 1800 } }, now)
        const result = pipelineStep(pipe, ev.instances.values(), facts(), now)
        for (const n of result.notifications) for (const a of n.alerts) {
          const inst = [...ev.instances.values()].find((i) => i.labels.peer === a.labels.peer && i.rule === a.labels.alertname)
          assert.ok(inst !== undefined)
          const muted = result.muted.get(inst.fingerprint)
          assert.equal(muted, undefined, `${a.labels.alertname}/${a.labels.peer} notified while muted`)
          for (const { silence } of set.byId.values()) {
            const matches = silence.matchers.every((m) => a.labels[m.name] === m.value)
            assert.ok(!(matches && now >= silence.startsAtMs && now < silence.endsAtMs), `${a.labels.alertname}/${a.labels.peer} notified under silence ${silence.id}`)
          }
          if (a.status === 'firing' && a.labels.alertname !== 'PeerDead') assert.ok(states.get(a.labels.peer!) !== 'dead' || a.labels.alertname === 'NodeIsolated', 'a dead peer\'s other alert notified')
          if (a.labels.alertname === 'PeerDead' && a.status === 'firing') assert.ok(!(isolatedHalfway && t >= 1800), 'PeerDead notified while isolated')
        }
      }
    }), { numRuns: 40 })
  })

  test('one agent of several tells a dead peer: the others wait, and stay quiet once they see its mark', () => {
    const agents = ['o1', 'o2', 'o3'].map((self) => ({ self, ev: createEvaluator({ rules: peerRules, selfName: self }), pipe: createPipeline(createGrouping(), createSilenceSet(), []), sent: [] as Notification[] }))
    const marks: NotifiedMark[] = []
    for (let t = 0; t <= 600; t += 1) {
      const now = T0 + t * S
      for (const a of agents) {
        evaluate(a.ev, { peers: [{ id: 'victim', name: 'web-9', state: 'dead' }] }, now)
        const f: ClusterFacts = { self: a.self, observersOf: () => ['o1', 'o2', 'o3'], isLive: () => true, marksFor: (fp) => marks.filter((m) => m.fingerprint === fp), handoverDelayMs: 30 * S }
        const result = pipelineStep(a.pipe, a.ev.instances.values(), f, now)
        a.sent.push(...result.notifications)
        marks.push(...result.marks)
      }
    }
    assert.deepEqual(agents.map((a) => a.sent.length), [1, 0, 0])
  })

  test('observers see the death seconds apart: one that sees it later than the first told stays quiet', () => {
    // o1 (first in ring order) sees the death at t=0 and tells at t=30 s (group wait); o2 sees it
    // only at t=35 s, after o1's mark. The mark predates o2's own episode, and still counts.
    for (const lagS of [5, 20, 35, 50]) {
      const agents = [{ self: 'o1', seesAtS: 0 }, { self: 'o2', seesAtS: lagS }].map((a) => ({ ...a, ev: createEvaluator({ rules: peerRules, selfName: a.self }), pipe: createPipeline(createGrouping(), createSilenceSet(), []), sent: [] as Notification[] }))
      const marks: (NotifiedMark & { visibleAtMs: number })[] = []
      for (let t = 0; t <= 600; t += 1) {
        const now = T0 + t * S
        for (const a of agents) {
          evaluate(a.ev, { peers: [{ id: 'victim', name: 'web-9', state: t >= a.seesAtS ? 'dead' : 'alive' }] }, now)
          const f: ClusterFacts = { self: a.self, observersOf: () => ['o1', 'o2'], isLive: () => true, marksFor: (fp) => marks.filter((m) => m.fingerprint === fp && m.visibleAtMs <= now), handoverDelayMs: 30 * S }
          const result = pipelineStep(a.pipe, a.ev.instances.values(), f, now)
          a.sent.push(...result.notifications)
          for (const m of result.marks) marks.push({ ...m, visibleAtMs: now + S })
        }
      }
      assert.deepEqual(agents.map((a) => a.sent.length), [1, 0], `o2 ${lagS} s late`)
    }
  })

  test('restart: evaluator rows and the notification log restored, nothing is sent again', () => {
    const run = (ev: ReturnType<typeof createEvaluator>, pipe: ReturnType<typeof createPipeline>, from: number, to: number) => {
      const sent: Notification[] = []
      for (let t = from; t <= to; t += 5) {
        evaluate(ev, { peers: [{ id: 'x', name: 'web-1', state: 'dead' }, { id: 'y', name: 'web-2', state: 'suspect' }] }, T0 + t * S)
        sent.push(...pipelineStep(pipe, ev.instances.values(), facts(), T0 + t * S).notifications)
      }
      return sent
    }
    const ev = createEvaluator({ rules: peerRules, selfName: 'me' })
    const pipe = createPipeline(createGrouping(), createSilenceSet(), [])
    assert.equal(run(ev, pipe, 0, 600).length, 2) // one per group (PeerDead, PeerSuspect)
    const rows = JSON.parse(JSON.stringify({ alerts: alertRows(ev), log: notificationLogRows(pipe.grouping) }))
    const ev2 = createEvaluator({ rules: peerRules, selfName: 'me' })
    assert.equal(restoreAlerts(ev2, rows.alerts, T0 + 700 * S, 3_600_000), 2)
    const pipe2 = createPipeline(createGrouping({}, rows.log), createSilenceSet(), [])
    assert.deepEqual(run(ev2, pipe2, 700, 3 * 3600), [])
  })

  test('handover: when the first observer is dead, the second tells it', () => {
    const ev = createEvaluator({ rules: peerRules, selfName: 'o2' })
    const pipe = createPipeline(createGrouping(), createSilenceSet(), [])
    const sent: Notification[] = []
    for (let t = 0; t <= 120; t++) {
      evaluate(ev, { peers: [{ id: 'victim', name: 'web-9', state: 'dead' }] }, T0 + t * S)
      sent.push(...pipelineStep(pipe, ev.instances.values(), { self: 'o2', observersOf: () => ['o1', 'o2'], isLive: (id) => id !== 'o1', marksFor: () => [], handoverDelayMs: 30 * S }, T0 + t * S).notifications)
    }
    assert.equal(sent.length, 1)
    assert.equal(sent[0]!.atMs, T0 + 30 * S)
  })

  test('storm: 10,000 state changes in a minute stay bounded and yield a handful of grouped notifications', () => {
    const r = effectiveRules([]).filter((x) => x.name.startsWith('Peer'))
    const ev = createEvaluator({ rules: r, selfName: 'me', activeAlertsMax: 2_000 })
    const pipe = createPipeline(createGrouping(), createSilenceSet(), BUILTIN_INHIBIT_RULES.map(compileInhibitRule))
    const peers = Array.from({ length: 5_000 }, (_, i) => ({ id: `p${i}`, name: `node-${i}`, state: 'alive' as PeerFact['state'] }))
    const cycle: PeerFact['state'][] = ['suspect', 'dead', 'alive', 'missing']
    const random = seededRandom(5)
    let changes = 0
    const notifications: Notification[] = []
    // 10,000 changes over one minute (one batch of 1,000 every 6 s), then 30 quiet minutes.
    for (let step = 0; step < 10; step++) {
      for (let k = 0; k < 1_000; k++) {
        const p = peers[random.int(peers.length)]!
        p.state = cycle[(cycle.indexOf(p.state) + 1) % cycle.length] ?? 'suspect'
        changes++
      }
      const now = T0 + step * 6 * S
      evaluate(ev, { peers }, now)
      notifications.push(...pipelineStep(pipe, ev.instances.values(), facts(), now).notifications)
      assert.ok(ev.instances.size <= 2_000)
    }
    for (let t = 60; t <= 1_860; t += 30) {
      evaluate(ev, { peers }, T0 + t * S)
      notifications.push(...pipelineStep(pipe, ev.instances.values(), facts(), T0 + t * S).notifications)
    }
    assert.equal(changes, 10_000)
    assert.ok(ev.counters.alertsDropped > 0, 'the instance bound was reached and counted')
    assert.ok(notifications.length > 0 && notifications.length <= 3 * 7, `${notifications.length} notifications`)
    const perGroup = new Map<string, number>()
    for (const n of notifications) perGroup.set(n.groupKey, (perGroup.get(n.groupKey) ?? 0) + 1)
    assert.deepEqual([...perGroup.keys()].sort(), ['{}:{alertname="PeerDead"}', '{}:{alertname="PeerMissing"}', '{}:{alertname="PeerSuspect"}'].filter((k) => perGroup.has(k)))
    assert.ok(notifications.reduce((n, x) => n + x.alerts.length, 0) > notifications.length, 'notifications carry many alerts each')
  })
})
