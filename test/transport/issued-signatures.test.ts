import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { IssuedSignatures } from '../../src/transport/issued-signatures.ts'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('IssuedSignatures', () => {
  test('answers for the signer and the bytes it signed only, and not at all for what it never issued', () => {
    const book = new IssuedSignatures(8)
    const data = bytes('record: a, incarnation 3')
    const signature = bytes('0123456789abcdef0123456789abcdef')
    book.remember(signature, 'a', data)
    assert.equal(book.check(signature, 'a', data), true)
    assert.equal(book.check(signature, 'b', data), false, 'not under another id')
    assert.equal(book.check(signature, 'a', bytes('record: a, incarnation 4')), false, 'not for other bytes')
    assert.equal(book.check(bytes('0123456789abcdef0123456789abcdeF'), 'a', data), undefined, 'never issued: the caller recomputes')
  })

  test('keeps its own copy of the signed bytes (the caller may reuse its buffer)', () => {
    const book = new IssuedSignatures(8)
    const data = bytes('abc')
    const signature = bytes('sig')
    book.remember(signature, 'a', data)
    data[0] = 0x78
    assert.equal(book.check(signature, 'a', bytes('abc')), true)
  })

  test('holds at most entriesMax, forgetting the oldest first', () => {
    const book = new IssuedSignatures(3)
    for (let i = 0; i < 5; i++) book.remember(bytes(`sig-${i}`), 'a', bytes(`data-${i}`))
    assert.equal(book.size, 3)
    assert.equal(book.check(bytes('sig-0'), 'a', bytes('data-0')), undefined)
    assert.equal(book.check(bytes('sig-1'), 'a', bytes('data-1')), undefined)
    assert.equal(book.check(bytes('sig-4'), 'a', bytes('data-4')), true)
  })

  test('a signature that is a view into a larger buffer is keyed by its own bytes', () => {
    const book = new IssuedSignatures(8)
    const slab = bytes('xxxxSIGNATUREyyyy')
    const view = slab.subarray(4, 13)
    book.remember(view, 'a', bytes('d'))
    assert.equal(book.check(bytes('SIGNATURE'), 'a', bytes('d')), true)
  })
})
