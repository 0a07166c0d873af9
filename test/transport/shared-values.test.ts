import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { decodeMessage, encodeMessage, type RecordMessage, type SignedDigestMessage, type WireMessage } from '../../src/transport/codec.ts'
import { SharedValues } from '../../src/transport/shared-values.ts'

const header = { cluster: 'c1', sender: 'peer-a', incarnation: 3, seq: 7 }
const addrs = ['/memory/peer-a']

/** A fresh decode of `m`, as each simulated node makes of what it receives. */
function decoded<M extends WireMessage>(m: M): M {
  const result = decodeMessage(encodeMessage(m), 65_536)
  assert.ok(result.ok)
  return result.message as M
}

const record = (signature: Uint8Array, incarnation = 3): RecordMessage => ({ type: 'record', ...header, incarnation, name: 'node-a', addrs, left: false, signature })
const digest = (signatureFill: number, incarnation = 1): SignedDigestMessage => ({
  type: 'signed-digest', ...header, members: [
    { id: 'peer-b', name: 'b', incarnation, state: 'alive', addrs: ['/memory/peer-b'], proof: { incarnation, left: false, signature: new Uint8Array(64).fill(signatureFill) } },
    { id: 'peer-c', name: 'c', incarnation: 1, state: 'alive', addrs: [] }
  ]
})

describe('values shared between the nodes of one process', () => {
  test('two decodes of one record end up holding the same strings, address list and signature', () => {
    const shared = new SharedValues()
    const a = shared.share(decoded(record(new Uint8Array(64).fill(5))))
    const b = shared.share(decoded(record(new Uint8Array(64).fill(5))))
    assert.notEqual(a, b) // each node keeps its own message
    assert.equal(a.addrs, b.addrs)
    assert.equal(a.signature, b.signature)
    assert.deepEqual(b, record(new Uint8Array(64).fill(5))) // and what it decoded
  })

  test('a digest entry takes the held proof only when incarnation, left flag and every signature byte agree', () => {
    const shared = new SharedValues()
    const first = shared.share(decoded(digest(1))).members[0]!
    assert.equal(shared.share(decoded(digest(1))).members[0]!.proof, first.proof)

    const otherBytes = decoded(digest(1))
    otherBytes.members[0]!.proof!.signature[63] = 2 // a forgery differing in its last byte keeps its own bytes
    const forged = shared.share(otherBytes).members[0]!
    assert.notEqual(forged.proof, first.proof)
    assert.equal(forged.proof!.signature[63], 2)

    const newer = shared.share(decoded(digest(1, 2))).members[0]!
    assert.equal(newer.proof!.incarnation, 2)
    assert.notEqual(newer.proof, first.proof)
  })

  test('a proof built from a record shares the record signature and the held proof', () => {
    const shared = new SharedValues()
    const m = shared.share(decoded(record(new Uint8Array(64).fill(4))))
    const p1 = shared.proof(m.sender, { incarnation: m.incarnation, left: m.left, signature: m.signature })
    const again = shared.share(decoded(record(new Uint8Array(64).fill(4))))
    const p2 = shared.proof(again.sender, { incarnation: again.incarnation, left: again.left, signature: again.signature })
    assert.equal(p1, p2)
    assert.equal(p2.signature, m.signature)
  })

  test('shared values are frozen, so no node can change another node\'s copy', () => {
    const shared = new SharedValues()
    const m = shared.share(decoded(digest(3)))
    assert.throws(() => { m.members[0]!.addrs[0] = '/memory/evil' }, TypeError)
    assert.throws(() => { (m.members[0]!.proof as { incarnation: number }).incarnation = 9 }, TypeError)
  })

  test('a changed address list replaces the held one for later decodes', () => {
    const shared = new SharedValues()
    shared.share(decoded(record(new Uint8Array(64).fill(5))))
    const moved = shared.share(decoded({ ...record(new Uint8Array(64).fill(5)), addrs: ['/memory/peer-a', '/memory/peer-a2'] }))
    assert.deepEqual(moved.addrs, ['/memory/peer-a', '/memory/peer-a2'])
    const later = shared.share(decoded({ ...record(new Uint8Array(64).fill(5)), addrs: ['/memory/peer-a', '/memory/peer-a2'] }))
    assert.equal(later.addrs, moved.addrs)
  })

  test('bounded: past entriesMax a table starts again, and values stay what was decoded', () => {
    const shared = new SharedValues(2)
    for (let i = 0; i < 20; i++) {
      const m = shared.share(decoded({ ...record(new Uint8Array(64).fill(i)), sender: `peer-${i}`, name: `node-${i}`, addrs: [`/memory/peer-${i}`] }))
      assert.equal(m.sender, `peer-${i}`)
      assert.deepEqual(m.addrs, [`/memory/peer-${i}`])
      assert.equal(m.signature[0], i)
    }
    const a = shared.share(decoded({ ...record(new Uint8Array(64).fill(19)), sender: 'peer-19', name: 'node-19', addrs: ['/memory/peer-19'] }))
    const b = shared.share(decoded({ ...record(new Uint8Array(64).fill(19)), sender: 'peer-19', name: 'node-19', addrs: ['/memory/peer-19'] }))
    assert.equal(a.signature, b.signature)
  })

  test('the same bytes are decoded once for every receiver, frozen; the size limit is each receiver\'s own', () => {
    const shared = new SharedValues()
    const bytes = encodeMessage({ type: 'heartbeat', ...header, health: { status: 'degraded', checksFailing: 2 } })
    const a = shared.decode(bytes, 65_536)
    const b = shared.decode(bytes, 65_536)
    assert.ok(a.ok && b.ok)
    assert.equal(a.message, b.message)
    assert.deepEqual(a.message, decoded({ type: 'heartbeat', ...header, health: { status: 'degraded', checksFailing: 2 } }))
    const beat = a.message
    if (beat.type !== 'heartbeat') assert.fail('not a heartbeat')
    assert.throws(() => { (beat.health as { checksFailing: number }).checksFailing = 0 }, TypeError)
    assert.deepEqual(shared.decode(bytes, bytes.byteLength - 1), { ok: false, reason: 'too-large' })
    // Equal bytes in another buffer are another message: decoded again, equal.
    const c = shared.decode(bytes.slice(), 65_536)
    assert.ok(c.ok)
    assert.notEqual(c.message, a.message)
    assert.deepEqual(c.message, a.message)
    assert.deepEqual(shared.decode(new Uint8Array([0xc1]), 65_536), { ok: false, reason: 'malformed' })
  })

  test('what a decode shares keeps no view into the frame: overwriting the frame changes nothing held', () => {
    const shared = new SharedValues()
    for (const fill of [7, 7, 8]) { // new, then held, then new again
      const frame = encodeMessage(digest(fill))
      const result = shared.decodeOnce(frame, 65_536)
      assert.ok(result.ok && result.message.type === 'signed-digest')
      frame.fill(0)
      assert.deepEqual([...result.message.members[0]!.proof!.signature], new Array(64).fill(fill))
    }
    const frame = encodeMessage(record(new Uint8Array(64).fill(3)))
    const result = shared.decodeOnce(frame, 65_536)
    frame.fill(0)
    assert.ok(result.ok && result.message.type === 'record')
    assert.deepEqual([...result.message.signature], new Array(64).fill(3))
  })
})
