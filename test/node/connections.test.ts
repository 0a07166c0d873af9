import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { MemberTable, type Member } from '../../src/membership/member-table.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { Connections } from '../../src/node/connections.ts'
import type { Transport } from '../../src/transport/types.ts'

/**
 * Reconnects to dead members (Serf's reconnect): one a reconnect interval, picked at random
 * from the dead members in table order. The view's set of dead members stands in for the scan
 * of the table when none or one is dead; the pick and the random stream must be the same.
 */
function setup(ids: string[], dead: string[], opts: { connected?: string[]; left?: string[]; noAddrs?: string[] } = {}) {
  const clock = new VirtualClock(0)
  const members = new MemberTable('me', 100)
  for (const id of ids) {
    members.apply({ id, name: id, addrs: opts.noAddrs?.includes(id) === true ? [] : [`/memory/${id}`], incarnation: 0, left: opts.left?.includes(id) === true, hearsay: 'alive' }, 0)
  }
  const dials: string[] = []
  const connected = new Set(opts.connected ?? [])
  const transport = {
    isConnected: (id: string) => connected.has(id),
    connect: (id: string) => {
      dials.push(id)
      return Promise.resolve()
    }
  } as unknown as Transport
  const deadSet = new Set(dead)
  const random = seededRandom(5)
  const connections = new Connections({
    transport, members, clock, random, logger: silentLogger(), reconnectIntervalMs: 30_000,
    neighbours: () => [], isLive: (m: Member) => !deadSet.has(m.id), deadIds: () => deadSet,
    onReconnected: () => {}
  })
  return { clock, connections, dials, random }
}

/** The draw the old table scan made: from the dead, wanted members in table order. */
function expectedPick(ids: string[], dead: string[], excluded: string[] = []): { pick: string | undefined; next: number } {
  const random = seededRandom(5)
  const pick = random.pick(ids.filter((id) => dead.includes(id) && !excluded.includes(id)))
  return { pick, next: random.next() }
}

describe('Connections.reconnectDead', () => {
  const ids = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']

  test('nobody dead: no dial, and nothing taken from the random stream', () => {
    const { connections, dials, random } = setup(ids, [])
    connections.reconnectDead()
    assert.deepEqual(dials, [])
    assert.equal(random.next(), expectedPick(ids, []).next)
  })

  test('one dead: it is dialled, with the same draw as the scan', () => {
    const { connections, dials, random } = setup(ids, ['m4'])
    connections.reconnectDead()
    assert.deepEqual(dials, ['m4'])
    assert.equal(random.next(), expectedPick(ids, ['m4']).next)
  })

  test('one dead that is left, connected or without addresses: not dialled, no draw', () => {
    for (const opts of [{ left: ['m4'] }, { connected: ['m4'] }, { noAddrs: ['m4'] }]) {
      const { connections, dials, random } = setup(ids, ['m4'], opts)
      connections.reconnectDead()
      assert.deepEqual(dials, [], JSON.stringify(opts))
      assert.equal(random.next(), expectedPick(ids, ['m4'], ['m4']).next)
    }
  })

  test('several dead: picked from them in table order, whatever order they died in; then once an interval', () => {
    const dead = ['m5', 'm2', 'm3']
    const { clock, connections, dials, random } = setup(ids, dead, { connected: ['m3'] })
    connections.reconnectDead()
    const expected = expectedPick(ids, dead, ['m3'])
    assert.deepEqual(dials, [expected.pick])
    assert.equal(random.next(), expected.next)
    clock.advance(29_999)
    connections.reconnectDead()
    assert.equal(dials.length, 1, 'not again within the interval')
    clock.advance(1)
    connections.reconnectDead()
    assert.equal(dials.length, 2)
  })
})
