import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Member } from '../../src/membership/member-table.ts'
import { isForceLeft } from '../../src/node/force-leave.ts'

/**
 * Which members a node resends force-leaves for: those left here without their own signed leave.
 * A member's own leave travels in digests by itself (its record says `left`); resending a
 * force-leave for it would only add traffic.
 */
const member = (left: boolean, proofLeft: boolean | undefined): Member => ({
  id: 'm', name: 'm', addrs: [], incarnation: 3, left, hearsay: 'alive', firstSeenMs: 0, updatedMs: 0,
  proof: proofLeft === undefined ? undefined : { incarnation: 3, left: proofLeft, signature: new Uint8Array(64) }
})

test('force-left: left here, with no signed record or one that does not say left', () => {
  assert.equal(isForceLeft(member(true, undefined)), true, 'left without any record held')
  assert.equal(isForceLeft(member(true, false)), true, 'left while its latest record says alive')
  assert.equal(isForceLeft(member(true, true)), false, 'its own signed leave')
  assert.equal(isForceLeft(member(false, undefined)), false, 'not left')
  assert.equal(isForceLeft(member(false, false)), false, 'not left, record alive')
  assert.equal(isForceLeft(undefined), false, 'unknown or reaped')
})
