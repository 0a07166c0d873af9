import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { alertmanagerBatch, GO_ZERO_TIME, webhookPayload } from '../../src/alerts/payloads.ts'
import { fingerprint } from '../../src/alerts/labels.ts'
import { alert, T0 } from './fixtures.ts'

describe('Alertmanager webhook payload (version 4)', () => {
  test('has every field of the format, firing endsAt as Go\'s zero time, fingerprints of the sent labels', () => {
    const a = alert('PeerDead', 'web-1', 'firing', T0)
    const b = alert('PeerDead', 'web-2', 'resolved', T0, T0 + 60_000)
    const p = webhookPayload({ groupKey: '{}:{alertname="PeerDead"}', groupLabels: { alertname: 'PeerDead' }, status: 'firing', alerts: [a, b], atMs: T0 + 90_000 }, { receiver: 'ops', externalUrl: 'http://127.0.0.1:9000/' })
    assert.deepEqual(Object.keys(p).sort(), ['alerts', 'commonAnnotations', 'commonLabels', 'externalURL', 'groupKey', 'groupLabels', 'receiver', 'status', 'truncatedAlerts', 'version'])
    assert.equal(p.version, '4')
    assert.equal(p.status, 'firing')
    assert.deepEqual(p.commonLabels, { alertname: 'PeerDead', severity: 'critical' })
    assert.deepEqual(p.commonAnnotations, {})
    assert.deepEqual(p.alerts.map((x) => Object.keys(x).sort()), [0, 1].map(() => ['annotations', 'endsAt', 'fingerprint', 'generatorURL', 'labels', 'startsAt', 'status']))
    assert.equal(p.alerts[0]!.endsAt, GO_ZERO_TIME)
    assert.equal(p.alerts[1]!.endsAt, new Date(T0 + 60_000).toISOString())
    assert.equal(p.alerts[0]!.startsAt, new Date(T0).toISOString())
    assert.equal(p.alerts[0]!.fingerprint, fingerprint(a.labels))
  })

  test('alertsMax truncates and counts the rest', () => {
    const alerts = ['a', 'b', 'c'].map((p) => alert('PeerDead', p, 'firing', T0))
    const p = webhookPayload({ groupKey: 'k', groupLabels: {}, status: 'firing', alerts, atMs: T0 }, { receiver: 'r', externalUrl: '', alertsMax: 2 })
    assert.equal(p.alerts.length, 2)
    assert.equal(p.truncatedAlerts, 1)
  })
})

describe('Alertmanager v2 push (client contract)', () => {
  const o = { resendMs: 60_000, resolvedResendMs: 15 * 60_000 }
  test('firing: sent at once with endsAt 4 resends ahead, again every resendMs; resolved: sent with its endsAt, then resent until 15 min', () => {
    const sent = new Map<string, { atMs: number; status: 'firing' | 'resolved' }>()
    const firing = [alert('PeerDead', 'a', 'firing', T0)]
    const first = alertmanagerBatch(firing, sent, T0, o)
    assert.equal(first.length, 1)
    assert.equal(first[0]!.endsAt, new Date(T0 + 240_000).toISOString())
    assert.equal(alertmanagerBatch(firing, sent, T0 + 30_000, o).length, 0)
    assert.equal(alertmanagerBatch(firing, sent, T0 + 60_000, o).length, 1)
    // resolved 10 s after the last firing push (and even if its resolve time were earlier): sent at once
    const resolved = [alert('PeerDead', 'a', 'resolved', T0, T0 + 70_000)]
    const r = alertmanagerBatch(resolved, sent, T0 + 70_000, o)
    assert.deepEqual(r.map((x) => x.endsAt), [new Date(T0 + 70_000).toISOString()])
    assert.equal(alertmanagerBatch(resolved, sent, T0 + 80_000, o).length, 0)
    assert.equal(alertmanagerBatch(resolved, sent, T0 + 130_000, o).length, 1)
    assert.equal(alertmanagerBatch(resolved, sent, T0 + 70_000 + 15 * 60_000, o).length, 0)
    alertmanagerBatch([], sent, T0 + 2 * 3_600_000, o)
    assert.equal(sent.size, 0) // forgotten with the alert
  })
})
