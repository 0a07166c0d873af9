import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { Packr } from 'msgpackr'
import { decodeMessage, encodeMessage, INCARNATION_MAX, WIRE_VERSION, type WireMessage } from '../../src/transport/codec.ts'

const header = { cluster: 'c1', sender: 'peer-a', incarnation: 3, seq: 7 }
const samples: WireMessage[] = [
  { type: 'heartbeat', ...header, health: { status: 'degraded', checksFailing: 2 } },
  { type: 'join', ...header, name: 'node-a', addrs: ['/ip4/127.0.0.1/tcp/1234/p2p/peer-a'] },
  { type: 'leave', ...header },
  { type: 'verdict', ...header, subject: 'peer-b', subjectIncarnation: 9, state: 'dead', subjectStatus: 'healthy' },
  { type: 'digest', ...header, members: [{ id: 'peer-b', name: 'b', incarnation: 1, state: 'left', addrs: [] }] },
  { type: 'record', ...header, name: 'node-a', addrs: ['/ip4/127.0.0.1/tcp/1234/p2p/peer-a'], left: false, signature: new Uint8Array(64).fill(9) },
  {
    type: 'signed-digest', ...header, members: [
      { id: 'peer-b', name: 'b', incarnation: 2, state: 'dead', addrs: ['/x'], proof: { incarnation: 1, left: false, signature: new Uint8Array([1, 2]) } },
      { id: 'peer-c', name: 'c', incarnation: 1, state: 'alive', addrs: [] }
    ]
  }
]
const raw = new Packr({ useRecords: false })

describe('wire codec', () => {
  for (const m of samples) {
    test(`round-trips a ${m.type}`, () => {
      const decoded = decodeMessage(encodeMessage(m), 65_536)
      assert.deepEqual(decoded, { ok: true, message: m })
    })
  }

  const rejections: [string, Uint8Array, string][] = [
    ['garbage bytes', new Uint8Array([0xc1, 0xff, 0x00]), 'malformed'],
    ['not an array', raw.pack({ a: 1 }), 'malformed'],
    ['a future version', raw.pack([WIRE_VERSION + 1, 1, 'c', 's', 0, 0, 0, 0]), 'version'],
    ['an unknown (appended) type tag', raw.pack([WIRE_VERSION, 99, 'c', 's', 0, 0]), 'unknown-type'],
    ['a negative incarnation', raw.pack([WIRE_VERSION, 1, 'c', 's', -1, 0, 0, 0]), 'schema'],
    ['a heartbeat with a bad status', raw.pack([WIRE_VERSION, 1, 'c', 's', 0, 0, 7, 0]), 'schema'],
    ['a verdict claiming left', raw.pack([WIRE_VERSION, 4, 'c', 's', 0, 0, 'x', 0, 3, 0]), 'schema'],
    ['an over-long sender', raw.pack([WIRE_VERSION, 3, 'c', 'x'.repeat(300), 0, 0]), 'schema'],
    ['too many addresses', raw.pack([WIRE_VERSION, 2, 'c', 's', 0, 0, 'n', Array(17).fill('/ip4/1.2.3.4/tcp/1')]), 'schema'],
    ['extra fields', raw.pack([WIRE_VERSION, 3, 'c', 's', 0, 0, 'extra']), 'schema'],
    ['an incarnation above INCARNATION_MAX', raw.pack([WIRE_VERSION, 3, 'c', 's', INCARNATION_MAX + 1, 0]), 'schema'],
    ['a verdict about an incarnation of 2^53 - 1', raw.pack([WIRE_VERSION, 4, 'c', 's', 0, 0, 'x', Number.MAX_SAFE_INTEGER, 2, 0]), 'schema'],
    ['a digest row at 2^53 - 2', raw.pack([WIRE_VERSION, 8, 'c', 's', 0, 0, [['x', 'x', Number.MAX_SAFE_INTEGER - 1, 0, [], null]]]), 'schema'],
    ['a record without a signature', raw.pack([WIRE_VERSION, 7, 'c', 's', 0, 0, 'n', [], false, new Uint8Array(0)]), 'schema'],
    ['a signature over 128 bytes', raw.pack([WIRE_VERSION, 7, 'c', 's', 0, 0, 'n', [], false, new Uint8Array(129)]), 'schema'],
    ['a digest proof that is not [incarnation, left, signature]', raw.pack([WIRE_VERSION, 8, 'c', 's', 0, 0, [['x', 'x', 1, 0, [], [1, false]]]]), 'schema']
  ]
  for (const [what, bytes, reason] of rejections) {
    test(`rejects ${what} as ${reason}`, () => {
      assert.deepEqual(decodeMessage(bytes, 65_536), { ok: false, reason })
    })
  }

  test('rejects a message over the size limit before decoding', () => {
    assert.deepEqual(decodeMessage(encodeMessage(samples[1]!), 10), { ok: false, reason: 'too-large' })
  })

  test('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      const r = decodeMessage(bytes, 65_536)
      assert.equal(typeof r.ok, 'boolean')
    }), { numRuns: 2000 })
  })
})
