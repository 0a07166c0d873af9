import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { effectiveRules } from '../../src/alerts/builtin-rules.ts'
import { createEvaluator, evaluate, type EvaluatorState } from '../../src/alerts/evaluator.ts'
import { alertRows, restoreAlerts } from '../../src/alerts/persistence.ts'
import type { Transition } from '../../src/alerts/instance.ts'
import { MINUTE, rules, sample, T0 } from './fixtures.ts'

function types(ts: Transition[]): string[] {
  return ts.map((t) => `${t.type}:${t.alert.severity}`)
}

function only(s: EvaluatorState) {
  assert.equal(s.instances.size, 1)
  return [...s.instances.values()][0]!
}

describe('lifecycle: pending → firing → resolved', () => {
  const queue = rules({ name: 'QueueDeep', metric: 'q', warning: '~:100', critical: '~:1000', clear: '~:80', forMs: MINUTE, keepFiringForMs: 2 * MINUTE })

  test('forMs: pending until the condition held a minute, then one firing transition', () => {
    const s = createEvaluator({ rules: queue, selfName: 'n1' })
    assert.deepEqual(types(evaluate(s, { samples: [sample('q', 150, T0)] }, T0)), ['alert:pending:warning'])
    assert.deepEqual(types(evaluate(s, { samples: [sample('q', 150, T0 + 30_000)] }, T0 + 30_000)), [])
    assert.deepEqual(types(evaluate(s, { samples: [sample('q', 150, T0 + MINUTE)] }, T0 + MINUTE)), ['alert:firing:warning'])
    const a = only(s)
    assert.equal(a.state, 'firing')
    assert.equal(a.activeAtMs, T0)
    assert.equal(a.firedAtMs, T0 + MINUTE)
    assert.deepEqual(a.labels, { alertname: 'QueueDeep', node: 'n1' })
  })

  test('a pending alert whose condition goes away is dropped without a transition', () => {
    const s = createEvaluator({ rules: queue, selfName: 'n1' })
    evaluate(s, { samples: [sample('q', 150, T0)] }, T0)
    assert.deepEqual(evaluate(s, { samples: [sample('q', 10, T0 + 1000)] }, T0 + 1000), [])
    assert.equal(s.instances.size, 0)
  })

  test('keepFiringForMs and hysteresis: stays firing above the clear line and for 2 min after', () => {
    const s = createEvaluator({ rules: queue, selfName: 'n1' })
    evaluate(s, { samples: [sample('q', 150, T0)] }, T0)
    evaluate(s, { samples: [sample('q', 150, T0 + MINUTE)] }, T0 + MINUTE)
    // 90: below the warning line but above clear (80): still holds
    evaluate(s, { samples: [sample('q', 90, T0 + 2 * MINUTE)] }, T0 + 2 * MINUTE)
    assert.equal(only(s).state, 'firing')
    assert.equal(only(s).holding, true)
    // 50: the condition stops; keepFiringFor holds it 2 minutes from when it last held (2 min)
    assert.deepEqual(evaluate(s, { samples: [sample('q', 50, T0 + 3 * MINUTE)] }, T0 + 3 * MINUTE), [])
    assert.deepEqual(evaluate(s, { samples: [sample('q', 50, T0 + 4 * MINUTE - 1)] }, T0 + 4 * MINUTE - 1), [])
    assert.deepEqual(types(evaluate(s, { samples: [sample('q', 50, T0 + 4 * MINUTE)] }, T0 + 4 * MINUTE)), ['alert:resolved:warning'])
    assert.equal(only(s).resolvedAtMs, T0 + 4 * MINUTE)
  })

  test('escalation warning → critical keeps the identity and never de-escalates within the episode', () => {
    const s = createEvaluator({ rules: queue, selfName: 'n1' })
    evaluate(s, { samples: [sample('q', 150, T0)] }, T0)
    evaluate(s, { samples: [sample('q', 150, T0 + MINUTE)] }, T0 + MINUTE)
    const fp = only(s).fingerprint
    assert.deepEqual(types(evaluate(s, { samples: [sample('q', 5000, T0 + 2 * MINUTE)] }, T0 + 2 * MINUTE)), ['alert:escalated:critical'])
    assert.equal(only(s).fingerprint, fp)
    assert.deepEqual(evaluate(s, { samples: [sample('q', 150, T0 + 3 * MINUTE)] }, T0 + 3 * MINUTE), [])
    assert.equal(only(s).severity, 'critical')
  })

  test('flapping: the fourth firing within 30 min is one flapping transition, held until quiet for 10 min', () => {
    const flappy = rules({ name: 'Flappy', metric: 'f', warning: '~:1' })
    const s = createEvaluator({ rules: flappy, selfName: 'n1' })
    const seen: string[] = []
    let t = T0
    for (let i = 0; i < 4; i++) {
      seen.push(...types(evaluate(s, { samples: [sample('f', 5, t)] }, t)).map((x) => x.split(':').slice(0, 2).join(':')))
      t += MINUTE
      seen.push(...types(evaluate(s, { samples: [sample('f', 0, t)] }, t)).map((x) => x.split(':').slice(0, 2).join(':')))
      t += MINUTE
    }
    assert.deepEqual(seen, [
      'alert:pending', 'alert:firing', 'alert:resolved',
      'alert:pending', 'alert:firing', 'alert:resolved',
      'alert:pending', 'alert:firing', 'alert:resolved',
      'alert:pending', 'alert:flapping'
    ])
    // More flips while flapping: no transitions at all.
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(evaluate(s, { samples: [sample('f', 5, t)] }, t), [])
      t += MINUTE
      assert.deepEqual(evaluate(s, { samples: [sample('f', 0, t)] }, t), [])
      t += MINUTE
    }
    const quietFrom = t - 2 * MINUTE // the last time the condition held
    assert.deepEqual(evaluate(s, { samples: [sample('f', 0, quietFrom + 9 * MINUTE)] }, quietFrom + 9 * MINUTE), [])
    assert.deepEqual(types(evaluate(s, { samples: [sample('f', 0, quietFrom + 10 * MINUTE)] }, quietFrom + 10 * MINUTE)), ['alert:resolved:warning'])
  })

  test('a series that stops reporting resolves once stale (5 min), through the sweep', () => {
    const s = createEvaluator({ rules: rules({ name: 'Q', metric: 'q', warning: '~:1' }), selfName: 'n1' })
    evaluate(s, { samples: [sample('q', 5, T0)] }, T0)
    assert.equal(only(s).state, 'firing')
    assert.deepEqual(evaluate(s, {}, T0 + 4 * MINUTE), [])
    assert.deepEqual(types(evaluate(s, {}, T0 + 5 * MINUTE + 1)), ['alert:resolved:warning'])
    // forgotten after the resolved retention (15 min)
    evaluate(s, {}, T0 + 21 * MINUTE)
    assert.equal(s.instances.size, 0)
  })

  test('bounded: past activeAlertsMax new instances are dropped and counted', () => {
    const s = createEvaluator({ rules: rules({ name: 'Q', metric: 'q', warning: '~:1' }), selfName: 'n1', activeAlertsMax: 5 })
    evaluate(s, { samples: Array.from({ length: 12 }, (_, i) => sample('q', 5, T0, { i: String(i) })) }, T0)
    assert.equal(s.instances.size, 5)
    assert.equal(s.counters.alertsDropped, 7)
  })

  test('bounded: when full, the oldest resolved instance makes room for a new alert', () => {
    const s = createEvaluator({ rules: rules({ name: 'Q', metric: 'q', warning: '~:1' }), selfName: 'n1', activeAlertsMax: 3 })
    evaluate(s, { samples: [0, 1, 2].map((i) => sample('q', 5, T0, { i: String(i) })) }, T0)
    evaluate(s, { samples: [sample('q', 0, T0 + 1000, { i: '1' })] }, T0 + 1000)
    evaluate(s, { samples: [sample('q', 0, T0 + 2000, { i: '0' })] }, T0 + 2000)
    const out = evaluate(s, { samples: [sample('q', 5, T0 + 3000, { i: '3' })] }, T0 + 3000)
    assert.deepEqual(out.map((t) => `${t.type}:${t.alert.labels.i}`), ['alert:pending:3', 'alert:firing:3'])
    assert.deepEqual([...s.instances.values()].map((a) => `${a.labels.i}:${a.state}`).sort(), ['0:resolved', '2:firing', '3:firing'])
    assert.deepEqual([s.counters.resolvedEvicted, s.counters.alertsDropped], [1, 0])
  })
})

describe('selectors', () => {
  test('disk free ratio joins avail and size on their labels; the critical range escalates', () => {
    const s = createEvaluator({ rules: effectiveRules([{ name: 'DiskSpaceLow', metric: 'node_filesystem_avail_bytes', divideBy: 'node_filesystem_size_bytes', scale: 100, warning: '10:', critical: '5:', matchers: ['fstype!~"tmpfs|overlay"'], annotations: { summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} has {{ $value }} % free' } }]).filter((r) => r.name === 'DiskSpaceLow'), selfName: 'n1' })
    const fs = { mountpoint: '/var', device: '/dev/sda2', fstype: 'ext4' }
    const tmp = { mountpoint: '/tmp', device: 'tmpfs', fstype: 'tmpfs' }
    const out = evaluate(s, { samples: [
      sample('node_filesystem_avail_bytes', 8, T0, fs), sample('node_filesystem_size_bytes', 100, T0, fs),
      sample('node_filesystem_avail_bytes', 1, T0, tmp), sample('node_filesystem_size_bytes', 100, T0, tmp)
    ] }, T0)
    assert.deepEqual(types(out), ['alert:pending:warning', 'alert:firing:warning']) // tmpfs excluded by the matcher
    assert.equal(only(s).labels.mountpoint, '/var')
    assert.equal(only(s).value, 8)
    assert.match(only(s).annotations.summary!, /Filesystem \/var on n1 has 8 % free/)
    assert.deepEqual(types(evaluate(s, { samples: [sample('node_filesystem_avail_bytes', 4, T0 + 1000, fs)] }, T0 + 1000)), ['alert:escalated:critical'])
  })

  test('load per core divides node_load1 by node_cpus', () => {
    const s = createEvaluator({ rules: rules({ name: 'LoadHigh', metric: 'node_load1', perCore: true, warning: '~:2' }), selfName: 'n1' })
    assert.deepEqual(evaluate(s, { samples: [sample('node_load1', 6, T0)] }, T0), []) // no CPU count yet: no verdict
    assert.deepEqual(types(evaluate(s, { samples: [sample('node_cpus', 2, T0), sample('node_load1', 6, T0)] }, T0)), ['alert:pending:warning', 'alert:firing:warning'])
    assert.equal(only(s).value, 3)
  })

  test('peer states: one alert per peer, resolved when it recovers or leaves the snapshot', () => {
    const s = createEvaluator({ rules: effectiveRules([]).filter((r) => r.name.startsWith('Peer')), selfName: 'n1' })
    const out = evaluate(s, { peers: [{ id: 'p1', name: 'web-1', state: 'dead' }, { id: 'p2', name: 'web-2', state: 'alive' }, { id: 'p3', name: 'web-3', state: 'suspect' }] }, T0)
    assert.deepEqual(out.filter((t) => t.type === 'alert:firing').map((t) => `${t.alert.rule}:${t.alert.labels.peer}:${t.alert.severity}`).sort(), ['PeerDead:web-1:critical', 'PeerSuspect:web-3:warning'])
    const dead = [...s.instances.values()].find((a) => a.rule === 'PeerDead')!
    assert.deepEqual(dead.subject, { kind: 'peer', id: 'p1' })
    assert.deepEqual(dead.labels, { alertname: 'PeerDead', peer: 'web-1', peer_id: 'p1' })
    const later = evaluate(s, { peers: [{ id: 'p1', name: 'web-1', state: 'alive' }] }, T0 + 1000)
    assert.deepEqual(later.map((t) => `${t.type}:${t.alert.rule}`).sort(), ['alert:resolved:PeerDead', 'alert:resolved:PeerSuspect'])
  })

  test('checks: CheckCritical per check id, with the exit code as value', () => {
    const s = createEvaluator({ rules: effectiveRules([]).filter((r) => r.name.startsWith('Check')), selfName: 'n1' })
    const report = (id: string, status: 'passing' | 'warning' | 'critical' | 'unknown') => ({ id, status, flapping: false, output: '', lastRunAtMs: T0, sinceMs: T0 })
    const out = evaluate(s, { checks: [report('db', 'critical'), report('web', 'passing'), report('disk', 'warning')] }, T0)
    assert.deepEqual(out.filter((t) => t.type === 'alert:firing').map((t) => `${t.alert.rule}:${t.alert.labels.check}:${t.alert.value}`).sort(), ['CheckCritical:db:2', 'CheckWarning:disk:1'])
  })

  test('node facts: isolated fires NodeIsolated, lag past 500 ms for a minute fires EventLoopLagging', () => {
    const s = createEvaluator({ rules: effectiveRules([]).filter((r) => r.name === 'NodeIsolated' || r.name === 'EventLoopLagging'), selfName: 'n1' })
    assert.deepEqual(types(evaluate(s, { node: { isolated: true, eventLoopLagMs: 800 } }, T0)).sort(), ['alert:firing:critical', 'alert:pending:critical', 'alert:pending:warning'])
    assert.deepEqual(types(evaluate(s, { node: { isolated: true, eventLoopLagMs: 900 } }, T0 + MINUTE)), ['alert:firing:warning'])
    assert.deepEqual(types(evaluate(s, { node: { isolated: false, eventLoopLagMs: 10 } }, T0 + 2 * MINUTE)).sort(), ['alert:resolved:critical', 'alert:resolved:warning'])
  })

  test('trend: a filesystem losing space is predicted full within 24 h, then within 4 h', () => {
    const s = createEvaluator({ rules: effectiveRules([{ name: 'DiskWillFillSoon', metric: 'node_filesystem_avail_bytes', trend: { windowMs: 6 * 3_600_000 }, warning: '86400:', critical: '14400:' }]).filter((r) => r.name === 'DiskWillFillSoon'), selfName: 'n1' })
    const fs = { mountpoint: '/', device: '/dev/sda1', fstype: 'ext4' }
    // 1 GB falling by 10 MB a minute: full in 100 minutes.
    const seen: string[] = []
    for (let m = 0; m <= 120; m += 5) seen.push(...types(evaluate(s, { samples: [sample('node_filesystem_avail_bytes', Math.max(0, 1e9 - m * 1e7), T0 + m * MINUTE, fs)] }, T0 + m * MINUTE)))
    assert.deepEqual(seen, ['alert:pending:critical', 'alert:firing:critical'])
    const steady = createEvaluator({ rules: s.rules, selfName: 'n1' })
    for (let m = 0; m <= 120; m += 5) assert.deepEqual(evaluate(steady, { samples: [sample('node_filesystem_avail_bytes', 1e9 + (m % 10) * 1e3, T0 + m * MINUTE, fs)] }, T0 + m * MINUTE), [])
  })
})

describe('restart', () => {
  test('rows restore firing alerts with their start times; too old ones are dropped', () => {
    const r = rules({ name: 'Q', metric: 'q', warning: '~:1' })
    const s = createEvaluator({ rules: r, selfName: 'n1' })
    evaluate(s, { samples: [sample('q', 5, T0), sample('q', 5, T0, { other: 'x' })] }, T0)
    const rows = JSON.parse(JSON.stringify(alertRows(s)))
    rows[1].lastSeenAtMs = T0 - 2 * 3_600_000
    const after = createEvaluator({ rules: r, selfName: 'n1' })
    assert.equal(restoreAlerts(after, rows, T0 + 10 * MINUTE, 3_600_000), 1)
    const a = only(after)
    assert.equal(a.state, 'firing')
    assert.equal(a.activeAtMs, T0)
    // the same series keeps firing, no new firing transition
    assert.deepEqual(evaluate(after, { samples: [sample('q', 5, T0 + 10 * MINUTE)] }, T0 + 10 * MINUTE), [])
  })
})
