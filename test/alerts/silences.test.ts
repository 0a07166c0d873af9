import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createSilenceSet, expireSilence, gcSilences, silencedBy, silenceRows, silenceState, upsertSilence, type Silence } from '../../src/alerts/silences.ts'
import { HealthmonError } from '../../src/errors.ts'
import { T0 } from './fixtures.ts'

const H = 3_600_000
function silence(id: string, over: Partial<Silence> = {}): Silence {
  return { id, matchers: [{ name: 'alertname', op: '=', value: 'PeerDead' }, { name: 'peer', op: '=~', value: 'web-.*' }], startsAtMs: T0, endsAtMs: T0 + 2 * H, createdBy: 'ops', comment: 'maintenance', updatedAtMs: T0, ...over }
}

describe('silences', () => {
  test('pending, active, expired by time; only active ones mute, and only what all matchers match', () => {
    const set = createSilenceSet()
    upsertSilence(set, silence('s1', { startsAtMs: T0 + H, endsAtMs: T0 + 2 * H }), T0)
    const labels = { alertname: 'PeerDead', peer: 'web-3', severity: 'critical' }
    assert.equal(silenceState(set.byId.get('s1')!.silence, T0), 'pending')
    assert.deepEqual(silencedBy(set, labels, T0), [])
    assert.deepEqual(silencedBy(set, labels, T0 + H), ['s1'])
    assert.deepEqual(silencedBy(set, { ...labels, peer: 'db-1' }, T0 + H), [])
    assert.deepEqual(silencedBy(set, labels, T0 + 2 * H), [])
    assert.equal(silenceState(set.byId.get('s1')!.silence, T0 + 2 * H), 'expired')
  })

  test('expire ends it now; GC forgets it after the retention', () => {
    const set = createSilenceSet({ retentionMs: H })
    upsertSilence(set, silence('s1'), T0)
    assert.equal(expireSilence(set, 's1', T0 + 10_000), true)
    assert.deepEqual(silencedBy(set, { alertname: 'PeerDead', peer: 'web-1' }, T0 + 10_000), [])
    assert.equal(expireSilence(set, 's1', T0 + 20_000), false)
    assert.equal(gcSilences(set, T0 + H), 0)
    assert.equal(gcSilences(set, T0 + 10_000 + H), 1)
    assert.equal(set.byId.size, 0)
  })

  test('last writer wins by id and updatedAt, whatever order copies arrive in (gossip)', () => {
    const older = silence('s1', { comment: 'old', updatedAtMs: T0 })
    const newer = silence('s1', { comment: 'new', endsAtMs: T0 + H, updatedAtMs: T0 + 5 })
    for (const order of [[older, newer], [newer, older]]) {
      const set = createSilenceSet()
      for (const s of order) upsertSilence(set, s, T0)
      assert.equal(set.byId.get('s1')!.silence.comment, 'new')
    }
    const set = createSilenceSet()
    assert.equal(upsertSilence(set, newer, T0), 'added')
    assert.equal(upsertSilence(set, older, T0), 'stale')
    assert.equal(upsertSilence(set, newer, T0), 'stale')
    assert.deepEqual(silenceRows(set), [newer])
  })

  test('bounded: past silencesMax new silences are refused and counted (expired ones collected first)', () => {
    const set = createSilenceSet({ silencesMax: 2, retentionMs: 0 })
    assert.equal(upsertSilence(set, silence('a'), T0), 'added')
    assert.equal(upsertSilence(set, silence('b'), T0), 'added')
    assert.equal(upsertSilence(set, silence('c'), T0), 'full')
    assert.equal(set.refused, 1)
    expireSilence(set, 'a', T0 + 1)
    assert.equal(upsertSilence(set, silence('c'), T0 + 2), 'added')
  })

  const BAD: [string, Partial<Silence>, RegExp][] = [
    ['no matchers', { matchers: [] }, /at least one matcher/],
    ['ends before it starts', { endsAtMs: T0 - 1 }, /endsAt must be after startsAt/],
    ['matches everything', { matchers: [{ name: 'peer', op: '=~', value: '.*' }] }, /match every alert/],
    ['unsafe regex', { matchers: [{ name: 'peer', op: '=~', value: '(a+)+' }] }, /nested quantifiers/],
    ['no author', { createdBy: '' }, /createdBy/],
    ['huge comment', { comment: 'x'.repeat(2000) }, /comment/],
    ['bad time', { startsAtMs: NaN }, /startsAtMs/]
  ]
  for (const [what, over, message] of BAD) {
    test(`refuses a silence with ${what} (SILENCE_INVALID), and keeps the others`, () => {
      const set = createSilenceSet()
      upsertSilence(set, silence('ok'), T0)
      assert.throws(() => upsertSilence(set, silence('bad', over), T0), (e: unknown) => e instanceof HealthmonError && e.code === 'SILENCE_INVALID' && message.test(e.message))
      assert.deepEqual([...set.byId.keys()], ['ok'])
    })
  }
})
