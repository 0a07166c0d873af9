import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { digestChecksum, gossipStateOf } from '../../src/node/anti-entropy.ts'
import type { Member } from '../../src/membership/member-table.ts'
import { VirtualCluster } from '../../src/sim/virtual-cluster.ts'
import { decodeMessage, encodeMessage } from '../../src/transport/codec.ts'

/** The checksum-first anti-entropy exchange: settled clusters swap checksums, not digests. */
type Stats = { syncs: number; inSync: number; syncErrors: number }
const statsOf = (cluster: VirtualCluster, id: string): Stats => (cluster.get(id).node as unknown as { antiEntropy: { stats: Stats } }).antiEntropy.stats

describe('anti-entropy checksums', { timeout: 60_000 }, () => {
  test('the checksum ignores entry order and sees any change of a field', () => {
    const a = { id: 'a', name: 'a', incarnation: 1, state: 'alive' as const, addrs: ['/memory/a'] }
    const b = { id: 'b', name: 'b', incarnation: 2, state: 'dead' as const, addrs: [] }
    assert.equal(digestChecksum([a, b]), digestChecksum([b, a]))
    assert.match(digestChecksum([a, b]), /^[0-9a-f]{16}$/)
    assert.notEqual(digestChecksum([a, b]), digestChecksum([a, { ...b, incarnation: 3 }]))
    assert.notEqual(digestChecksum([a, b]), digestChecksum([a, { ...b, state: 'alive' }]))
    assert.notEqual(digestChecksum([a]), digestChecksum([a, b]))
  })

  test('a digest spreads left and dead, and says alive of a suspect, a missing or an unseen member', () => {
    const member = (left: boolean): Member => ({ id: 'm', name: 'm', addrs: [], incarnation: 1, left, hearsay: 'alive', firstSeenMs: 0, updatedMs: 0 })
    const cases = [
      { left: true, view: 'alive', says: 'left' },
      { left: true, view: 'dead', says: 'left' },
      { left: false, view: 'dead', says: 'dead' },
      { left: false, view: 'suspect', says: 'alive' },
      { left: false, view: 'alive', says: 'alive' },
      { left: false, view: 'missing', says: 'alive' },
      { left: false, view: undefined, says: 'alive' }
    ] as const
    for (const c of cases) assert.equal(gossipStateOf(member(c.left), c.view), c.says, `left=${c.left}, view ${c.view}`)
  })

  test('the checksum message round-trips and is refused on gossip topics by the codec\'s schema', () => {
    const m = { type: 'checksum' as const, cluster: 'c', sender: 's', incarnation: 1, seq: 2, checksum: '0123456789abcdef' }
    assert.deepEqual(decodeMessage(encodeMessage(m), 1024), { ok: true, message: m })
    assert.deepEqual(decodeMessage(encodeMessage({ ...m, checksum: 'xyz' }), 1024), { ok: false, reason: 'schema' })
  })

  test('a settled cluster exchanges checksums only, never full digests', async () => {
    const cluster = new VirtualCluster({ seed: 5, node: { antiEntropyIntervalMs: 1000 } })
    const ids = ['n0', 'n1', 'n2', 'n3', 'n4']
    await cluster.add('n0')
    for (const id of ids.slice(1)) await cluster.add(id, ['n0'])
    await cluster.runFor(15_000)
    const before = ids.map((id) => statsOf(cluster, id))
    const full0 = before.reduce((n, s) => n + s.syncs, 0)
    const same0 = before.reduce((n, s) => n + s.inSync, 0)
    await cluster.runFor(10_000)
    const after = ids.map((id) => statsOf(cluster, id))
    assert.equal(after.reduce((n, s) => n + s.syncs, 0), full0, 'no full exchange while settled')
    assert.ok(after.reduce((n, s) => n + s.inSync, 0) >= same0 + 40, 'one checksum exchange per node per second')
    assert.equal(after.reduce((n, s) => n + s.syncErrors, 0), 0)
  })
})
