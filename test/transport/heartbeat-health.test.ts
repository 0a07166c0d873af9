/**
 * The heartbeat's health summary on the wire: round trip (quantised), bounds on failing check
 * names, size with 0 and 20 failing checks (target <= 512 bytes), compatibility with a body of
 * two elements and with elements appended by a later version, and rejection of bad figures.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Packr } from 'msgpackr'
import { decodeMessage, encodeMessage, WIRE_LIMITS, WIRE_VERSION, type HealthSummary, type HeartbeatMessage } from '../../src/transport/codec.ts'

// A real-length libp2p Ed25519 peer id and the largest counters a long-lived node may reach.
const header = { cluster: 'production-eu-west', sender: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo', incarnation: 1_000_000, seq: 4_000_000_000 }
const heartbeat = (health: HealthSummary): HeartbeatMessage => ({ type: 'heartbeat', ...header, health })
const resources = { cpuPercent: 37.25, memoryPercent: 81.04, diskPercent: 93.3, loadPerCore: 1.234 }
const raw = new Packr({ useRecords: false })
const decode = (bytes: Uint8Array) => decodeMessage(bytes, 65_536)

describe('heartbeat health summary', () => {
  test('round-trips, with figures quantised to 0.1 % and 0.01 load', () => {
    const d = decode(encodeMessage(heartbeat({ status: 'degraded', checksFailing: 1, resources, failingChecks: ['web'] })))
    assert.deepEqual(d, { ok: true, message: heartbeat({ status: 'degraded', checksFailing: 1, resources: { cpuPercent: 37.3, memoryPercent: 81, diskPercent: 93.3, loadPerCore: 1.23 }, failingChecks: ['web'] }) })
  })

  test('figures not measured travel as null', () => {
    const r = { cpuPercent: null, memoryPercent: 10, diskPercent: null, loadPerCore: null }
    const d = decode(encodeMessage(heartbeat({ status: 'healthy', checksFailing: 0, resources: r, failingChecks: [] })))
    assert.ok(d.ok && d.message.type === 'heartbeat')
    assert.deepEqual(d.message.health.resources, r)
  })

  test('failing checks: at most 20 names, each cut to 16 characters; the count stays exact', () => {
    const ids = Array.from({ length: 30 }, (_, i) => `check-number-${i}-with-a-long-name`)
    const d = decode(encodeMessage(heartbeat({ status: 'unhealthy', checksFailing: 30, resources, failingChecks: ids })))
    assert.ok(d.ok && d.message.type === 'heartbeat')
    assert.equal(d.message.health.checksFailing, 30)
    assert.equal(d.message.health.failingChecks!.length, WIRE_LIMITS.failingChecksMax)
    assert.ok(d.message.health.failingChecks!.every((id) => id.length <= WIRE_LIMITS.failingCheckCharsMax))
  })

  test('size: well under 512 bytes with 0 failing checks, and with 20 of the longest names', () => {
    const zero = encodeMessage(heartbeat({ status: 'healthy', checksFailing: 0, resources, failingChecks: [] })).byteLength
    const ids = Array.from({ length: 20 }, (_, i) => `a-long-check-id-${i}`.padEnd(40, 'x'))
    const twenty = encodeMessage(heartbeat({ status: 'unhealthy', checksFailing: 20, resources, failingChecks: ids })).byteLength
    assert.ok(zero < 128, `0 checks: ${zero} bytes`)
    assert.ok(twenty <= 512, `20 checks: ${twenty} bytes`)
  })

  test('a two-element body (no summary) still decodes', () => {
    const d = decode(raw.pack([WIRE_VERSION, 1, 'c', 's', 0, 0, 1, 0]))
    assert.deepEqual(d, { ok: true, message: { type: 'heartbeat', cluster: 'c', sender: 's', incarnation: 0, seq: 0, health: { status: 'degraded', checksFailing: 0 } } })
  })

  test('elements appended by a later version are ignored', () => {
    const d = decode(raw.pack([WIRE_VERSION, 1, 'c', 's', 0, 0, 0, 0, [100, 200, 300, 50], ['x'], { future: true }, 42]))
    assert.ok(d.ok && d.message.type === 'heartbeat')
    assert.deepEqual(d.message.health, { status: 'healthy', checksFailing: 0, resources: { cpuPercent: 10, memoryPercent: 20, diskPercent: 30, loadPerCore: 0.5 }, failingChecks: ['x'] })
  })

  const bad: [string, unknown[]][] = [
    ['a percentage above 100 %', [0, 0, [1001, 0, 0, 0]]],
    ['a negative figure', [0, 0, [-1, 0, 0, 0]]],
    ['a float where an integer is sent', [0, 0, [1.5, 0, 0, 0]]],
    ['too few figures', [0, 0, [1, 2]]],
    ['figures that are not a list', [0, 0, 'cpu=1']],
    ['too many failing check names', [0, 0, null, Array.from({ length: 33 }, () => 'x')]],
    ['a failing check name too long', [0, 0, null, ['x'.repeat(65)]]],
    ['an empty failing check name', [0, 0, null, ['']]],
    ['a failing check name that is not a string', [0, 0, null, [7]]]
  ]
  for (const [what, body] of bad) {
    test(`rejects ${what} (schema)`, () => assert.deepEqual(decode(raw.pack([WIRE_VERSION, 1, 'c', 's', 0, 0, ...body])), { ok: false, reason: 'schema' }))
  }
})
