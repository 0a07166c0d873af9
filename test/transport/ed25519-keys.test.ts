import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { Ed25519Keys, ED25519_KEYS_MAX } from '../../src/transport/ed25519-keys.ts'

const data = new TextEncoder().encode('record: a, incarnation 3')

async function signers(n: number): Promise<PrivateKey[]> {
  return Promise.all(Array.from({ length: n }, () => generateKeyPair('Ed25519')))
}

describe('Ed25519Keys', () => {
  test('agrees with @libp2p/crypto on valid, altered and misattributed signatures', async () => {
    const [a, b] = await signers(2) as [PrivateKey, PrivateKey]
    const keys = new Ed25519Keys()
    const signature = a.sign(data) as Uint8Array
    const flipped = Uint8Array.from(signature, (x, i) => (i === 0 ? x ^ 1 : x))
    const cases: Array<[string, PrivateKey, Uint8Array, Uint8Array]> = [
      ['valid', a, data, signature],
      ['other bytes', a, new TextEncoder().encode('record: a, incarnation 4'), signature],
      ['changed signature', a, data, flipped],
      ['other key', b, data, signature]
    ]
    for (const [what, signer, bytes, sig] of cases) {
      const expected = signer.publicKey.verify(bytes, sig) as boolean
      // Twice: the first call imports the key, the second uses the held one.
      assert.equal(keys.verify(`id-${what}-${signer.publicKey.toString()}`, () => signer.publicKey.raw, bytes, sig), expected, what)
      assert.equal(keys.verify(`id-${what}-${signer.publicKey.toString()}`, () => signer.publicKey.raw, bytes, sig), expected, `${what}, held key`)
    }
  })

  test('never throws: a short signature, a missing, short or throwing key are not valid', async () => {
    const [a] = await signers(1) as [PrivateKey]
    const keys = new Ed25519Keys()
    const signature = a.sign(data) as Uint8Array
    assert.equal(keys.verify('a', () => a.publicKey.raw, data, new Uint8Array(0)), false)
    assert.equal(keys.verify('a', () => a.publicKey.raw, data, signature.subarray(1)), false)
    assert.equal(keys.verify('none', () => undefined, data, signature), false)
    assert.equal(keys.verify('short', () => a.publicKey.raw.subarray(1), data, signature), false)
    assert.equal(keys.verify('throws', () => { throw new Error('not a peer id') }, data, signature), false)
    assert.equal(keys.size, 0, 'nothing held for keys that did not import')
  })

  test('holds at most keysMax keys, forgetting the least recently used first', async () => {
    const ks = await signers(4)
    const keys = new Ed25519Keys(3)
    const imports = new Map<string, number>()
    const check = (i: number): boolean => {
      const k = ks[i]!
      return keys.verify(`k${i}`, () => {
        imports.set(`k${i}`, (imports.get(`k${i}`) ?? 0) + 1)
        return k.publicKey.raw
      }, data, k.sign(data) as Uint8Array)
    }
    for (const i of [0, 1, 2]) assert.equal(check(i), true)
    assert.equal(keys.size, 3)
    assert.equal(check(0), true) // k0 is now the most recently used, k1 the least
    assert.equal(check(3), true) // evicts k1
    assert.equal(keys.size, 3, 'bound kept')
    assert.equal(check(0), true)
    assert.equal(check(2), true)
    assert.equal(check(3), true)
    assert.deepEqual([...imports.values()], [1, 1, 1, 1], 'k0, k2, k3 still held')
    assert.equal(check(1), true, 'a forgotten key is imported again')
    assert.equal(imports.get('k1'), 2)
    assert.equal(keys.size, 3)
  })

  test('the default bound holds ED25519_KEYS_MAX keys; a bound that is not a positive integer is refused', async () => {
    const [a] = await signers(1) as [PrivateKey]
    const signature = a.sign(data) as Uint8Array
    const keys = new Ed25519Keys()
    for (let i = 0; i <= ED25519_KEYS_MAX; i++) keys.verify(`name-${i}`, () => a.publicKey.raw, data, signature)
    assert.equal(keys.size, ED25519_KEYS_MAX)
    assert.throws(() => new Ed25519Keys(0), RangeError)
    assert.throws(() => new Ed25519Keys(1.5), RangeError)
  })
})
