import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { MemberState } from '../../src/transport/codec.ts'
import { MemberTable } from '../../src/membership/member-table.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { LocalView, type OwnVerdict } from '../../src/view/local-view.ts'
import { ReportStore } from '../../src/view/reports.ts'

/** A view whose own verdicts (first-hand, this node observing every member) the test sets. */
function viewWithVerdicts(): { view: LocalView; members: MemberTable; verdicts: Map<string, MemberState> } {
  const clock = new VirtualClock(0)
  const members = new MemberTable('me', 100)
  const verdicts = new Map<string, MemberState>()
  const own = (id: string): OwnVerdict | undefined => {
    const state = verdicts.get(id)
    return state === undefined ? undefined : { state, phi: 0, lastHeardAtMs: 0, status: undefined, incarnation: 0, failureCount: 0 }
  }
  const view = new LocalView({
    clock, selfId: 'me', members, reports: new ReportStore(100, 8), observersOf: () => ['me'], ownVerdict: own,
    peerHistoryMax: 10, suspectReportTtlMs: 10_000, onChange: () => {}
  })
  return { view, members, verdicts }
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
})
