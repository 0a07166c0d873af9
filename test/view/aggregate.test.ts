import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { MemberState, VerdictState } from '../../src/transport/codec.ts'
import { aggregateVerdicts } from '../../src/view/aggregate.ts'
import { ReportStore, type Report } from '../../src/view/reports.ts'

const report = (state: VerdictState, subjectIncarnation = 1, observerSeq = 1): Report =>
  ({ state, subjectIncarnation, subjectStatus: 'healthy', observerIncarnation: 1, observerSeq, atMs: 0 })

function agg(reports: Record<string, Report>, opts: { observers?: string[]; incarnation?: number; left?: boolean; presumed?: MemberState; nowMs?: number } = {}) {
  return aggregateVerdicts({
    nowMs: opts.nowMs ?? 1000,
    suspectReportTtlMs: 12_000,
    incarnation: opts.incarnation ?? 1,
    left: opts.left ?? false,
    presumed: opts.presumed ?? 'alive',
    observers: opts.observers ?? ['o1', 'o2', 'o3', 'o4'],
    reports: new Map(Object.entries(reports))
  })
}

describe('verdict aggregation', () => {
  const table: [string, Record<string, Report>, object, { state: MemberState; agree: number; total: number }][] = [
    ['no reports: presumed alive by all', {}, {}, { state: 'alive', agree: 4, total: 4 }],
    ['one suspect alone is that observer\'s business', { o1: report('suspect') }, {}, { state: 'alive', agree: 3, total: 4 }],
    ['two suspects make the subject suspect', { o1: report('suspect'), o2: report('suspect') }, {}, { state: 'suspect', agree: 2, total: 4 }],
    ['a single observer\'s suspicion is enough when it is the only one', { o1: report('suspect') }, { observers: ['o1'] }, { state: 'suspect', agree: 1, total: 1 }],
    ['half dead is not yet dead', { o1: report('dead'), o2: report('dead') }, {}, { state: 'suspect', agree: 2, total: 4 }],
    ['most dead is dead', { o1: report('dead'), o2: report('dead'), o3: report('dead') }, {}, { state: 'dead', agree: 3, total: 4 }],
    ['reports about an older incarnation do not count', { o1: report('dead', 0), o2: report('dead', 0), o3: report('dead', 0) }, {}, { state: 'alive', agree: 4, total: 4 }],
    ['left wins over every verdict', { o1: report('dead') }, { left: true }, { state: 'left', agree: 4, total: 4 }],
    ['a digest claiming dead is the default until reports arrive', {}, { presumed: 'dead' }, { state: 'dead', agree: 4, total: 4 }],
    ['suspect reports older than the TTL no longer count', { o1: report('suspect'), o2: report('suspect') }, { nowMs: 12_001 }, { state: 'alive', agree: 4, total: 4 }],
    ['a minority dead report stops making the subject suspect once stale', { o1: report('dead'), o2: report('suspect', 1, 2) }, { nowMs: 12_001 }, { state: 'alive', agree: 3, total: 4 }],
    ['a majority dead report does not expire', { o1: report('dead'), o2: report('dead'), o3: report('dead') }, { nowMs: 1e9 }, { state: 'dead', agree: 3, total: 4 }],
    ['reports from outside the observer set still count', { x: report('dead'), o1: report('dead'), o2: report('dead') }, {}, { state: 'dead', agree: 3, total: 5 }]
  ]
  for (const [what, reports, opts, expected] of table) {
    test(what, () => assert.deepEqual(agg(reports, opts), expected))
  }
})

describe('report store', () => {
  test('keeps only the newest report per observer', () => {
    const store = new ReportStore(10, 10)
    assert.equal(store.record('s', 'o', report('suspect', 1, 5)), true)
    assert.equal(store.record('s', 'o', report('alive', 1, 4)), false)
    assert.equal(store.record('s', 'o', report('dead', 1, 6)), true)
    assert.equal(store.record('s', 'o', report('alive', 2, 1)), true)
    assert.equal(store.of('s').get('o')?.state, 'alive')
  })

  test('is bounded in subjects and observers per subject', () => {
    const store = new ReportStore(2, 2)
    store.record('s1', 'o1', report('alive'))
    store.record('s2', 'o1', report('alive'))
    assert.equal(store.record('s3', 'o1', report('alive')), false)
    store.record('s1', 'o2', report('alive'))
    assert.equal(store.record('s1', 'o3', report('alive')), false)
    assert.equal(store.dropped, 2)
  })
})
