import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { BUILTIN_INHIBIT_RULES, compileInhibitRule, inhibited } from '../../src/alerts/inhibition.ts'
import { fingerprint } from '../../src/alerts/labels.ts'

const a = (labels: Record<string, string>) => ({ fingerprint: fingerprint(labels), labels })
const builtins = BUILTIN_INHIBIT_RULES.map(compileInhibitRule)

describe('inhibition', () => {
  test('a dead peer inhibits its own other alerts, not other peers\' alerts, and not itself', () => {
    const dead = a({ alertname: 'PeerDead', peer: 'web-1', peer_id: 'p1', severity: 'critical' })
    const suspect1 = a({ alertname: 'PeerSuspect', peer: 'web-1', peer_id: 'p1', severity: 'warning' })
    const suspect2 = a({ alertname: 'PeerSuspect', peer: 'web-2', peer_id: 'p2', severity: 'warning' })
    const own = a({ alertname: 'DiskSpaceLow', node: 'n1', severity: 'warning' })
    const out = inhibited(builtins, [dead, suspect1, suspect2, own], [dead, suspect1, suspect2, own])
    assert.deepEqual([...out], [suspect1.fingerprint])
  })

  test('an isolated node inhibits its PeerDead alerts', () => {
    const isolated = a({ alertname: 'NodeIsolated', node: 'n1', severity: 'critical' })
    const deads = ['p1', 'p2'].map((id) => a({ alertname: 'PeerDead', peer: id, peer_id: id, severity: 'critical' }))
    assert.equal(inhibited(builtins, [isolated, ...deads], deads).size, 2)
    assert.equal(inhibited(builtins, deads, deads).size, 0) // no source, no inhibition
  })

  test('equal labels: missing on both sides counts as equal; different values do not inhibit', () => {
    const rule = compileInhibitRule({ sourceMatchers: ['severity="critical"'], targetMatchers: ['severity="warning"'], equal: ['alertname', 'zone'] })
    const crit = a({ alertname: 'X', severity: 'critical' })
    const warnSame = a({ alertname: 'X', severity: 'warning' })
    const warnOtherZone = a({ alertname: 'X', severity: 'warning', zone: 'eu' })
    assert.deepEqual([...inhibited([rule], [crit], [warnSame, warnOtherZone])], [warnSame.fingerprint])
  })
})
