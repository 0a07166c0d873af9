import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { MemberTable } from '../../src/membership/member-table.ts'
import type { MemberFacts } from '../../src/membership/trust.ts'

const facts = (id: string, more: Partial<MemberFacts> = {}): MemberFacts => ({ id, name: id, addrs: [], incarnation: 1, left: false, hearsay: 'alive', ...more })

/** What a member may become is the trust rules' call (test/membership/trust.test.ts); the table stores, bounds and reaps. */
describe('member table', () => {
  test('stores what it is given, never itself, and bumps its version on each change', () => {
    const t = new MemberTable('self', 10)
    t.apply(facts('self'), 0)
    assert.equal(t.size, 0)
    t.apply(facts('a'), 5)
    const v = t.version
    t.apply(facts('a', { name: 'node-a', incarnation: 2 }), 7)
    assert.equal(t.version, v + 1)
    assert.deepEqual({ name: t.get('a')?.name, firstSeenMs: t.get('a')?.firstSeenMs, updatedMs: t.get('a')?.updatedMs }, { name: 'node-a', firstSeenMs: 5, updatedMs: 7 })
  })

  test('says when membersMax is reached', () => {
    const t = new MemberTable('self', 2)
    t.apply(facts('a'), 0)
    assert.equal(t.hasRoom(), true)
    t.apply(facts('b'), 0)
    assert.equal(t.hasRoom(), false)
  })

  test('reaps gone members only after reapAfterMs without change', () => {
    const t = new MemberTable('self', 10)
    t.apply(facts('a', { left: true, hearsay: 'left' }), 0)
    t.apply(facts('b'), 0)
    assert.deepEqual(t.reap(999, 1000, (m) => m.left), [])
    assert.deepEqual(t.reap(1000, 1000, (m) => m.left), ['a'])
    assert.deepEqual(t.ids(), ['b'])
  })
})
