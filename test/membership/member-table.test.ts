import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { MemberTable } from '../../src/membership/member-table.ts'

describe('member table', () => {
  test('learns members, ignores itself, and takes newer incarnations whole', () => {
    const t = new MemberTable('self', 10)
    assert.equal(t.upsert({ id: 'self', incarnation: 5 }, 0), 'unchanged')
    assert.equal(t.upsert({ id: 'a', incarnation: 1 }, 0), 'added')
    assert.equal(t.get('a')?.name, 'a', 'name defaults to the id until announced')
    assert.equal(t.upsert({ id: 'a', name: 'node-a', addrs: ['/x'], incarnation: 1 }, 1), 'updated')
    assert.equal(t.upsert({ id: 'a', name: 'other', incarnation: 1 }, 2), 'unchanged', 'a known name is not replaced at the same incarnation')
    assert.equal(t.upsert({ id: 'a', incarnation: 0, left: true }, 3), 'unchanged', 'older incarnations change nothing')
    assert.equal(t.upsert({ id: 'a', incarnation: 1, left: true }, 4), 'updated')
    assert.equal(t.get('a')?.hearsay, 'left')
    assert.equal(t.upsert({ id: 'a', name: 'node-a2', incarnation: 2 }, 5), 'updated')
    assert.deepEqual({ left: t.get('a')?.left, name: t.get('a')?.name, hearsay: t.get('a')?.hearsay }, { left: false, name: 'node-a2', hearsay: 'alive' })
  })

  test('refuses members beyond membersMax and counts them', () => {
    const t = new MemberTable('self', 2)
    t.upsert({ id: 'a', incarnation: 1 }, 0)
    t.upsert({ id: 'b', incarnation: 1 }, 0)
    assert.equal(t.upsert({ id: 'c', incarnation: 1 }, 0), 'refused')
    assert.equal(t.refused, 1)
    assert.equal(t.size, 2)
  })

  test('reaps gone members only after reapAfterMs without change', () => {
    const t = new MemberTable('self', 10)
    t.upsert({ id: 'a', incarnation: 1, left: true }, 0)
    t.upsert({ id: 'b', incarnation: 1 }, 0)
    assert.deepEqual(t.reap(999, 1000, (m) => m.left), [])
    assert.deepEqual(t.reap(1000, 1000, (m) => m.left), ['a'])
    assert.deepEqual(t.ids(), ['b'])
  })
})
