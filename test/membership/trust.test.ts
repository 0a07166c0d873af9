import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { INCARNATION_MAX, type MemberDigestEntry, type RecordProof } from '../../src/transport/codec.ts'
import { heartbeatChangesNothing, trustStep, type MemberFacts, type TrustContext, type TrustInput, type TrustResult } from '../../src/membership/trust.ts'
import { INITIAL_REFUTATION, refutationStep } from '../../src/membership/refutation.ts'

const SIG = new Uint8Array([1, 2, 3])
const proof = (incarnation: number, left = false): RecordProof => ({ incarnation, left, signature: SIG })
const member = (more: Partial<MemberFacts> = {}): MemberFacts => ({ id: 's', name: 'node-s', addrs: ['/real'], incarnation: 5, left: false, hearsay: 'alive', ...more })
const entry = (more: Partial<MemberDigestEntry> = {}): MemberDigestEntry => ({ id: 's', name: 'node-s', incarnation: 5, state: 'alive', addrs: ['/real'], ...more })
const ctx = (more: Partial<TrustContext> = {}): TrustContext => ({
  selfId: 'me', selfIncarnation: 10, known: member(), tombstone: undefined, room: 'yes', incarnationAheadMax: 2, nowMs: 1000, ...more
})

/** The outcome in one comparable line: what was dropped or refuted, and what the member became. */
function outcome(r: TrustResult): string {
  const parts: string[] = []
  for (const e of r.effects) {
    if (e.type === 'drop') parts.push(`drop ${e.reason}`)
    else if (e.type === 'refute') parts.push(`refute ${e.claimedIncarnation}`)
    else parts.push(e.type)
  }
  if (r.member !== undefined) {
    const m = r.member
    parts.push(`${r.added ? 'add' : 'update'} inc=${m.incarnation} left=${m.left} hearsay=${m.hearsay} name=${m.name} addrs=${m.addrs.join(',')}`)
  }
  return parts.join('; ') || 'nothing'
}

const verdict = (more: Partial<Extract<TrustInput, { type: 'verdict' }>> = {}): TrustInput =>
  ({ type: 'verdict', from: 'o', subject: 's', subjectIncarnation: 5, state: 'dead', fromObserver: true, ...more })
const digest = (e: MemberDigestEntry, p: 'valid' | 'invalid' | 'none' = e.proof === undefined ? 'none' : 'valid', from = 'x'): TrustInput =>
  ({ type: 'digest-entry', from, entry: e, proof: p })

const clusterForceLeave = (more: Partial<Extract<TrustInput, { type: 'cluster-force-leave' }>> = {}): TrustInput =>
  ({ type: 'cluster-force-leave', from: 'o', sender: 'live', subject: 's', subjectIncarnation: 5, subjectDead: true, ...more })

const CASES: [string, TrustContext, TrustInput, string][] = [
  // learning: only from the member's own word
  ['own heartbeat introduces a member', ctx({ known: undefined }), { type: 'own', statement: { id: 's', incarnation: 3, left: false } }, 'add inc=3 left=false hearsay=alive name=s addrs='],
  ['own signed record introduces it with its name and addresses', ctx({ known: undefined }), { type: 'own', statement: { id: 's', incarnation: 3, left: false, name: 'n', addrs: ['/a'], proof: proof(3) } }, 'add inc=3 left=false hearsay=alive name=n addrs=/a'],
  ['a verdict about an unknown subject teaches nothing', ctx({ known: undefined }), verdict(), 'drop unknown-subject'],
  ['a bare digest row about an unknown member teaches nothing', ctx({ known: undefined }), digest(entry()), 'drop unproven-member'],
  ['a digest row with a bad signature teaches nothing', ctx({ known: undefined }), digest(entry({ proof: proof(5) }), 'invalid'), 'drop bad-proof'],
  ['a digest row with its member\'s signed record introduces it', ctx({ known: undefined }), digest(entry({ proof: proof(5) })), 'add inc=5 left=false hearsay=alive name=node-s addrs=/real'],
  ['a proven row for a dead member introduces it as dead (hearsay)', ctx({ known: undefined }), digest(entry({ state: 'dead', proof: proof(5) })), 'add inc=5 left=false hearsay=dead name=node-s addrs=/real'],
  ['the sender\'s own bare row is first-hand', ctx({ known: undefined }), digest(entry({ id: 'x', name: 'x-name', addrs: ['/x'] })), 'add inc=5 left=false hearsay=alive name=x-name addrs=/x'],
  ['a full table refuses', ctx({ known: undefined, room: 'full' }), { type: 'own', statement: { id: 's', incarnation: 3, left: false } }, 'members-full'],
  ['past the exchange budget a proven row waits', ctx({ known: undefined, room: 'budget' }), digest(entry({ proof: proof(5) })), 'drop digest-budget'],
  // addresses
  ['a bare row cannot change a member\'s addresses', ctx(), digest(entry({ addrs: ['/attacker'], incarnation: 6 })), 'nothing'],
  ['a newer signed record does', ctx(), digest(entry({ addrs: ['/moved'], incarnation: 6, proof: proof(6) })), 'update inc=6 left=false hearsay=alive name=node-s addrs=/moved'],
  ['a heartbeat keeps the signed addresses', ctx(), { type: 'own', statement: { id: 's', incarnation: 6, left: false } }, 'update inc=6 left=false hearsay=alive name=node-s addrs=/real'],
  // verdicts: observers only, bounded incarnations
  ['an observer\'s verdict counts', ctx(), verdict(), 'record-verdict'],
  ['a non-observer\'s verdict is dropped', ctx(), verdict({ fromObserver: false, state: 'suspect' }), 'drop not-observer'],
  ['a non-observer\'s alive cannot mask a death', ctx(), verdict({ fromObserver: false, state: 'alive' }), 'drop not-observer'],
  ['a verdict within incarnationAheadMax counts', ctx(), verdict({ subjectIncarnation: 7 }), 'record-verdict'],
  ['a verdict beyond it is dropped', ctx(), verdict({ subjectIncarnation: 8 }), 'drop incarnation-ahead'],
  ['a verdict at INCARNATION_MAX is dropped', ctx(), verdict({ subjectIncarnation: INCARNATION_MAX }), 'drop incarnation-ahead'],
  ['a digest row far ahead is dropped', ctx(), digest(entry({ incarnation: INCARNATION_MAX - 1 })), 'drop incarnation-ahead'],
  // about this node
  ['an observer saying this node is dead is refuted', ctx(), verdict({ subject: 'me', subjectIncarnation: 10 }), 'refute 10'],
  ['a non-observer saying so is not', ctx(), verdict({ subject: 'me', subjectIncarnation: 10, fromObserver: false }), 'drop not-observer'],
  ['a claim above this node\'s own incarnation is poison', ctx(), verdict({ subject: 'me', subjectIncarnation: 11 }), 'drop incarnation-ahead'],
  ['a suspicion is not refuted', ctx(), verdict({ subject: 'me', subjectIncarnation: 10, state: 'suspect' }), 'nothing'],
  ['an old claim is moot', ctx(), verdict({ subject: 'me', subjectIncarnation: 9 }), 'nothing'],
  ['a digest saying this node is dead is refuted', ctx(), digest(entry({ id: 'me', incarnation: 10, state: 'dead' })), 'refute 10'],
  ['a digest saying this node left is forged', ctx(), digest(entry({ id: 'me', incarnation: 10, state: 'left' })), 'drop forged-leave'],
  ['an own record from an earlier life is moved past', ctx(), digest(entry({ id: 'me', incarnation: 40, proof: proof(40) })), 'refute 40'],
  // leaves
  ['a bare row saying a live member left is forged', ctx(), digest(entry({ state: 'left' })), 'drop forged-leave'],
  ['a row saying left with the member\'s alive record is forged', ctx(), digest(entry({ state: 'left', proof: proof(5) })), 'drop forged-leave; update inc=5 left=false hearsay=alive name=node-s addrs=/real'],
  ['a row saying left with an alive record, introducing the member, brings it in as dead hearsay only', ctx({ known: undefined }), digest(entry({ state: 'left', proof: proof(5) })), 'add inc=5 left=false hearsay=dead name=node-s addrs=/real'],
  ['a row with the member\'s signed leave is taken', ctx(), digest(entry({ state: 'left', proof: proof(5, true) })), 'update inc=5 left=true hearsay=left name=node-s addrs=/real'],
  ['the member\'s own leave is taken', ctx(), { type: 'own', statement: { id: 's', incarnation: 5, left: true } }, 'update inc=5 left=true hearsay=left name=node-s addrs=/real'],
  ['an operator\'s force-leave is taken', ctx(), { type: 'force-leave', id: 's' }, 'update inc=5 left=true hearsay=left name=node-s addrs=/real'],
  ['a force-leave of an unknown member does nothing', ctx({ known: undefined }), { type: 'force-leave', id: 's' }, 'drop unknown-subject'],
  ['a left member comes back only with a higher incarnation', ctx({ known: member({ left: true, hearsay: 'left', proof: proof(5, true) }) }), digest(entry({ id: 's', proof: proof(5) })), 'nothing'],
  // cluster-wide force-leave (tag 10): only about a member dead in this node's own view
  ['a relayed force-leave of a dead member is taken', ctx(), clusterForceLeave(), 'update inc=5 left=true hearsay=left name=node-s addrs=/real'],
  ['a relayed force-leave of a live member is refused', ctx(), clusterForceLeave({ subjectDead: false }), 'drop force-leave-live'],
  ['a relayed force-leave from an unknown sender is refused', ctx(), clusterForceLeave({ sender: 'unknown' }), 'drop unknown-sender'],
  ['a relayed force-leave from a dead or left sender is refused', ctx(), clusterForceLeave({ sender: 'gone' }), 'drop sender-not-live'],
  ['a relayed force-leave of an unknown member teaches nothing', ctx({ known: undefined }), clusterForceLeave(), 'drop unknown-subject'],
  ['nor of a reaped one', ctx({ known: undefined, tombstone: { incarnation: 5, untilMs: 9e9 } }), clusterForceLeave(), 'drop tombstoned'],
  ['a relayed force-leave of a member already left changes nothing', ctx({ known: member({ left: true, hearsay: 'left' }) }), clusterForceLeave(), 'nothing'],
  ['a relayed force-leave at an incarnation the member has moved past is stale', ctx({ known: member({ incarnation: 6 }) }), clusterForceLeave(), 'drop force-leave-stale'],
  ['a relayed force-leave far ahead of the member\'s own incarnation is refused', ctx(), clusterForceLeave({ subjectIncarnation: 8 }), 'drop incarnation-ahead'],
  ['a relayed force-leave of this node is refused and refuted with claim + 1', ctx(), clusterForceLeave({ subject: 'me', subjectIncarnation: 10 }), 'drop force-leave-live; refute 10'],
  ['a relayed force-leave of this node at an older incarnation is stale', ctx(), clusterForceLeave({ subject: 'me', subjectIncarnation: 9 }), 'drop force-leave-stale'],
  ['a relayed force-leave of this node above its incarnation is refused', ctx(), clusterForceLeave({ subject: 'me', subjectIncarnation: 11 }), 'drop incarnation-ahead'],
  // cluster-wide alerting updates (tag 9): only from a known, live member
  ['an alerting update from a live member is accepted', ctx(), { type: 'alerting', from: 's', sender: 'live' }, 'accept-alerting'],
  ['an alerting update from an unknown sender is refused', ctx({ known: undefined }), { type: 'alerting', from: 's', sender: 'unknown' }, 'drop unknown-sender'],
  ['an alerting update from a dead or left sender is refused', ctx(), { type: 'alerting', from: 's', sender: 'gone' }, 'drop sender-not-live'],
  // tombstones
  ['a reaped member is not resurrected by a stale digest', ctx({ known: undefined, tombstone: { incarnation: 5, untilMs: 9e9 } }), digest(entry({ proof: proof(5) })), 'drop tombstoned'],
  ['nor by a bare row', ctx({ known: undefined, tombstone: { incarnation: 5, untilMs: 9e9 } }), digest(entry()), 'drop tombstoned'],
  ['a restart (higher incarnation) passes the tombstone', ctx({ known: undefined, tombstone: { incarnation: 5, untilMs: 9e9 } }), { type: 'own', statement: { id: 's', incarnation: 6, left: false } }, 'add inc=6 left=false hearsay=alive name=s addrs=']
]

describe('trust rules (pure step)', () => {
  for (const [name, c, input, expected] of CASES) {
    test(name, () => assert.equal(outcome(trustStep(c, input)), expected))
  }

  test('heartbeatChangesNothing agrees with the step on every bare heartbeat', () => {
    // The shell skips the step when the predicate holds: the step must then do nothing.
    const props = fc.record({
      id: fc.constantFrom('s', 'me'),
      incarnation: fc.integer({ min: 0, max: 8 }),
      known: fc.option(fc.record({ incarnation: fc.integer({ min: 0, max: 8 }), left: fc.boolean(), hearsay: fc.constantFrom('alive' as const, 'dead' as const, 'left' as const), withProof: fc.boolean() })),
      tombstone: fc.option(fc.integer({ min: 0, max: 8 })),
      room: fc.constantFrom('yes' as const, 'full' as const, 'budget' as const)
    })
    let skipped = 0
    fc.assert(fc.property(props, (p) => {
      const known = p.known === null ? undefined : member({ id: p.id, incarnation: p.known.incarnation, left: p.known.left, hearsay: p.known.hearsay, ...(p.known.withProof ? { proof: proof(p.known.incarnation) } : {}) })
      const tombstone = p.tombstone === null ? undefined : { incarnation: p.tombstone, untilMs: 9e9 }
      const c = ctx({ known, tombstone, room: p.room })
      const step = trustStep(c, { type: 'own', statement: { id: p.id, incarnation: p.incarnation, left: false } })
      const nothing = step.member === undefined && step.effects.length === 0
      if (known !== undefined && heartbeatChangesNothing(known, tombstone, p.incarnation)) {
        skipped++
        assert.ok(nothing, outcome(step))
      }
    }), { numRuns: 2000, seed: 20261204 })
    assert.ok(skipped > 100, `the predicate held in ${skipped} of 2000 cases`)
  })
})

describe('refutation limit', () => {
  const opts = (nowMs: number, incarnation = 10) => ({ incarnation, nowMs, intervalMsMin: 1000 })
  test('refutes with claim + 1, then defers claims within the interval and refutes the highest at its end', () => {
    let r = refutationStep(INITIAL_REFUTATION, { type: 'claim', incarnation: 10 }, opts(0))
    assert.equal(r.raiseTo, 11)
    r = refutationStep(r.state, { type: 'claim', incarnation: 11 }, opts(100, 11))
    assert.deepEqual([r.raiseTo, r.dropped], [undefined, 'refutation-deferred'])
    r = refutationStep(r.state, { type: 'tick' }, opts(500, 11))
    assert.equal(r.raiseTo, undefined, 'still inside the interval')
    r = refutationStep(r.state, { type: 'tick' }, opts(1000, 11))
    assert.equal(r.raiseTo, 12)
    r = refutationStep(r.state, { type: 'tick' }, opts(5000, 12))
    assert.equal(r.raiseTo, undefined, 'nothing pending')
  })

  test('a storm of claims raises the incarnation at most once per interval', () => {
    let state = INITIAL_REFUTATION
    let incarnation = 10
    for (let t = 0; t < 10_000; t += 10) {
      const r = refutationStep(state, { type: 'claim', incarnation }, opts(t, incarnation))
      state = r.state
      if (r.raiseTo !== undefined) incarnation = r.raiseTo
    }
    assert.equal(incarnation, 20, '10 s of claims every 10 ms: 10 refutations')
  })

  test('never past INCARNATION_MAX, and an old claim is moot', () => {
    assert.deepEqual(refutationStep(INITIAL_REFUTATION, { type: 'claim', incarnation: INCARNATION_MAX }, opts(0, INCARNATION_MAX)).dropped, 'incarnation-cap')
    assert.equal(refutationStep(INITIAL_REFUTATION, { type: 'claim', incarnation: 9 }, opts(0)).raiseTo, undefined)
  })
})
