/**
 * The wire fuzzer's smaller run (scripts/fuzz.ts runs 100,000): 2,000 generated and mutated
 * gossip messages through the codec, the validator and a real ClusterNode's receive path on the
 * in-memory network. Nothing throws, every case moves exactly one counter, the mutations and
 * reject reasons are all exercised, and the node's tables stay within their bounds.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Packr } from 'msgpackr'
import { runWireFuzz } from '../../scripts/fuzz/wire-run.ts'
import { decodeMessage, MESSAGE_TAGS, WIRE_VERSION } from '../../src/transport/codec.ts'

test('found by the fuzzer: enum fields take integers only (no "length" state, no throw on a map with a non-callable toString)', () => {
  const packr = new Packr({ useRecords: false, mapsAsObjects: true })
  const verdict = (state: unknown, status: unknown) => packr.pack([WIRE_VERSION, MESSAGE_TAGS.verdict, 'default', 'n2', 9, 302, 'n1', 7, state, status])
  assert.equal(decodeMessage(verdict(0, 0), 65_536).ok, true)
  for (const bad of ['length', '__proto__', '0', { constructor: 1, toString: 2 }, 1.5]) {
    assert.deepEqual(decodeMessage(verdict(bad, 0), 65_536), { ok: false, reason: 'schema' }, `state ${JSON.stringify(bad)}`)
    assert.deepEqual(decodeMessage(verdict(0, bad), 65_536), { ok: false, reason: 'schema' }, `status ${JSON.stringify(bad)}`)
  }
  const heartbeat = packr.pack([WIRE_VERSION, MESSAGE_TAGS.heartbeat, 'default', 'n2', 1, 1, 'length', 0])
  assert.deepEqual(decodeMessage(heartbeat, 65_536), { ok: false, reason: 'schema' })
  const digest = packr.pack([WIRE_VERSION, MESSAGE_TAGS.digest, 'default', 'n2', 1, 1, [['a', 'a', 1, 'length', []]]])
  assert.deepEqual(decodeMessage(digest, 65_536), { ok: false, reason: 'schema' })
})

test('2,000 fuzzed gossip messages: no throw anywhere, every reject counted, tables bounded', { timeout: 120_000 }, async () => {
  const r = await runWireFuzz({ cases: 2000, seed: 11 })
  assert.equal(r.cases, 2000)
  assert.equal(r.firstThrow, undefined, JSON.stringify(r.firstThrow))
  assert.equal(r.codec.throws, 0)
  assert.equal(r.validator.throws, 0)
  assert.equal(r.node.throws, 0)
  assert.equal(r.node.handlerErrors, 0, 'the node\'s message handler never threw')
  assert.equal(r.node.validatorErrors, 0)
  assert.equal(r.node.unaccounted, 0, 'each case moved exactly one counter')
  assert.equal(r.node.actorRestarts, 0, 'no peer actor failed on fuzzed input')
  // The codec's accounting is complete too: ok + rejects = cases.
  assert.equal(r.codec.ok + Object.values(r.codec.rejected).reduce((a, b) => a + b, 0), r.cases)
  // The run covers what it claims: every family and mutation, and the main reject reasons.
  for (const [family, n] of Object.entries(r.byFamily)) assert.ok(n > 50, `${family}: ${n} cases`)
  for (const [mutation, n] of Object.entries(r.byMutation)) assert.ok(n > 50, `${mutation}: ${n} cases`)
  for (const reason of ['too-large', 'malformed', 'version', 'schema', 'cluster', 'sender-mismatch', 'wrong-topic', 'stale-incarnation'] as const) {
    assert.ok(r.validator.rejected[reason] > 0, `validator rejected some as ${reason}`)
  }
  assert.ok(r.node.accepted > 0 && r.validator.accepted > 0, 'some cases were valid and went past the validator')
  assert.ok(r.node.members <= r.node.membersMax)
  assert.equal(r.sync.sent, 200)
  assert.equal(r.sync.handlerErrors, 0, 'the anti-entropy handler never threw')
  assert.equal(r.sync.answered, r.sync.sent, 'every sync request was answered')
})
