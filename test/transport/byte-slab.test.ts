import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { copyBytes } from '../../src/transport/byte-slab.ts'
import { decodeMessage, encodeMessage, type WireMessage } from '../../src/transport/codec.ts'

describe('copyBytes (signature copies in shared slabs)', () => {
  test('a copy holds the bytes and does not follow later changes of the source', () => {
    const src = Uint8Array.from({ length: 64 }, (_, i) => i)
    const copy = copyBytes(src)
    src.fill(0)
    assert.deepEqual([...copy], Array.from({ length: 64 }, (_, i) => i))
    assert.equal(copy.byteLength, 64)
  })

  test('copies never overlap, across slab boundaries', () => {
    const copies: Uint8Array[] = []
    for (let i = 0; i < 100; i++) copies.push(copyBytes(new Uint8Array(48).fill(i)))
    copies.forEach((c, i) => assert.ok(c.every((b) => b === i), `copy ${i} was overwritten`))
  })

  test('a large input gets a buffer of its own', () => {
    const big = new Uint8Array(4096).fill(7)
    const copy = copyBytes(big)
    assert.equal(copy.buffer.byteLength, 4096)
    assert.ok(copy.every((b) => b === 7))
  })

  test('a decoded record keeps its signature after the frame is reused', () => {
    const message: WireMessage = { type: 'record', cluster: 'c', sender: 's', incarnation: 1, seq: 1, name: 'n', addrs: ['/ip4/127.0.0.1/tcp/1'], left: false, signature: new Uint8Array(64).fill(9) }
    const frame = encodeMessage(message)
    const decoded = decodeMessage(frame, 65536)
    assert.ok(decoded.ok)
    frame.fill(0)
    assert.equal(decoded.message.type, 'record')
    if (decoded.message.type === 'record') assert.ok(decoded.message.signature.every((b) => b === 9))
  })
})
