import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { MemberState } from '../../src/transport/codec.ts'
import { MemberTable } from '../../src/membership/member-table.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { LocalView, type OwnVerdict } from '../../src/view/local-view.ts'
import { ReportStore } from '../../src/view/reports.ts'

/** A view whose own verdicts (first-hand, this node observing every member) the test sets. */
function viewWithVerdicts(peerHistoryMax = 10): { view: LocalView; members: MemberTable; verdicts: Map<string, MemberState>; changes: string[] } {
  const clock = new VirtualClock(0)
  const members = new MemberTable('me', 100)
  const verdicts = new Map<string, MemberState>()
  const changes: string[] = []
  const own = (id: string): OwnVerdict | undefined => {
    const state = verdicts.get(id)
    return state === undefined ? undefined : { state, phi: 0, lastHeardAtMs: 0, status: undefined, incarnation: 0, failureCount: 0 }
  }
  const view = new LocalView({
    clock, selfId: 'me', members, reports: new ReportStore(100, 8), observersOf: () => ['me'], ownVerdict: own,
    peerHistoryMax, suspectReportTtlMs: 10_000, onChange: (e) => { changes.push(`${e.peer}:${e.to}`) }
  })
  return { view, members, verdicts, changes }
}

describe('LocalView', () => {
  test('deadIds follows the members shown dead: entering dead, leaving it, removed while dead', () => {
    const { view, members, verdicts } = viewWithVerdicts()
    for (const id of ['a', 'b', 'c']) {
      members.apply({ id, name: id, addrs: [], incarnation: 0, left: false, hearsay: 'alive' }, 0)
      verdicts.set(id, 'alive')
      view.refresh(id)
    }
    assert.equal(view.deadIds().size, 0)
    verdicts.set('a', 'dead')
    verdicts.set('b', 'dead')
    view.refresh('a')
    view.refresh('b')
    view.refresh('a') // unchanged: counted once
    assert.deepEqual([...view.deadIds()].sort(), ['a', 'b'])
    verdicts.set('a', 'alive')
    view.refresh('a')
    assert.equal(view.deadIds().size, 1)
    view.remove('b')
    view.remove('b')
    assert.equal(view.deadIds().size, 0)
    // A member first seen dead (a digest's hearsay, say) counts from its first refresh.
    members.apply({ id: 'd', name: 'd', addrs: [], incarnation: 0, left: false, hearsay: 'dead' }, 0)
    verdicts.set('d', 'dead')
    view.refresh('d')
    assert.equal(view.deadIds().size, 1)
    assert.equal(view.stateOf('d'), 'dead')
  })

  test('a peer\'s history keeps its last peerHistoryMax changes; 0 keeps none, and every change is still announced', () => {
    for (const max of [0, 1, 3]) {
      const { view, members, verdicts, changes } = viewWithVerdicts(max)
      members.apply({ id: 'a', name: 'a', addrs: [], incarnation: 0, left: false, hearsay: 'alive' }, 0)
      const states: MemberState[] = ['alive', 'suspect', 'alive', 'suspect', 'dead']
      for (const state of states) {
        verdicts.set('a', state)
        view.refresh('a')
      }
      assert.deepEqual(changes, states.map((st) => `a:${st}`))
      const all = ['missing>alive', 'alive>suspect', 'suspect>alive', 'alive>suspect', 'suspect>dead']
      assert.deepEqual(view.history('a').map((h) => `${h.from}>${h.to}`), max === 0 ? [] : all.slice(all.length - max), `peerHistoryMax ${max}`)
    }
  })
})
