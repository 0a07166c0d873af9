/**
 * Generated and mutated gossip messages for the wire fuzzer (scripts/fuzz.ts and
 * test/transport/wire-fuzz.test.ts). Three families, each a fast-check arbitrary:
 * - generated: well-formed messages of every type, with field values at and past their bounds
 *   (incarnations near INCARNATION_MAX, empty and 256-character strings, unknown senders);
 * - mutated: a generated message's encoding, then bit flips, truncation, appended bytes, two
 *   fields swapped, one field of the wrong type, or one field replaced by a huge or deeply nested
 *   array;
 * - random: bytes with no structure at all.
 * Each case also names the topic and the signed sender it arrives with, mostly the ones its
 * content claims (so it reaches past the sender and topic checks), sometimes not.
 */
import fc from 'fast-check'
import { Packr } from 'msgpackr'
import { encodeMessage, INCARNATION_MAX, MEMBER_STATES, NODE_STATUSES, type MemberDigestEntry, type WireMessage } from '../../src/transport/codec.ts'
import { eventsTopic, heartbeatTopic } from '../../src/transport/topics.ts'

export type CaseFamily = 'generated' | 'mutated' | 'random'
export type Mutation = 'bitflip' | 'truncate' | 'append' | 'swap' | 'wrong-type' | 'huge-array' | 'deep-nesting'

export interface WireCase {
  family: CaseFamily
  mutation?: Mutation
  topic: string
  from: string
  data: Uint8Array
}

export interface CaseContext {
  cluster: string
  /** Ids of real members: senders and subjects are drawn mostly from these. */
  members: readonly string[]
}

// The codec's own packer settings: plain msgpack, maps as objects.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' })

const incarnation = fc.oneof(
  fc.integer({ min: 0, max: 20 }),
  fc.constantFrom(INCARNATION_MAX - 1, INCARNATION_MAX, INCARNATION_MAX + 1, Number.MAX_SAFE_INTEGER, -1),
  fc.nat()
)
const seq = fc.oneof(fc.nat({ max: 1000 }), fc.nat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER))
const text = fc.oneof(fc.string({ maxLength: 20 }), fc.string({ minLength: 250, maxLength: 260 }), fc.constant(''))
const addrs = fc.array(fc.oneof(fc.constant('/ip4/127.0.0.1/tcp/1/p2p/x'), text), { maxLength: 20 })
const signature = fc.uint8Array({ minLength: 0, maxLength: 130 })
const percent = fc.oneof(fc.constant(null), fc.double({ min: -10, max: 200, noNaN: false }))

function messageArb(ctx: CaseContext): fc.Arbitrary<WireMessage> {
  const id = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ctx.members) }, { weight: 1, arbitrary: fc.constant('12D3KooWmallory') }, { weight: 1, arbitrary: text })
  const cluster = fc.oneof({ weight: 9, arbitrary: fc.constant(ctx.cluster) }, { weight: 1, arbitrary: text })
  const header = fc.record({ cluster, sender: id, incarnation, seq })
  const entry: fc.Arbitrary<MemberDigestEntry> = fc.record({
    id, name: text, incarnation, state: fc.constantFrom(...MEMBER_STATES), addrs,
    proof: fc.option(fc.record({ incarnation, left: fc.boolean(), signature }), { nil: undefined })
  })
  const health = fc.record({
    status: fc.constantFrom(...NODE_STATUSES),
    checksFailing: fc.oneof(fc.nat({ max: 40 }), fc.constant(-1)),
    resources: fc.option(fc.record({ cpuPercent: percent, memoryPercent: percent, diskPercent: percent, loadPerCore: percent }), { nil: undefined }),
    failingChecks: fc.option(fc.array(text, { maxLength: 40 }), { nil: undefined })
  })
  return fc.oneof(
    fc.record({ h: header, health }).map(({ h, health }): WireMessage => ({ ...h, type: 'heartbeat', health })),
    fc.record({ h: header, name: text, addrs }).map(({ h, name, addrs }): WireMessage => ({ ...h, type: 'join', name, addrs })),
    header.map((h): WireMessage => ({ ...h, type: 'leave' })),
    fc.record({ h: header, subject: id, si: incarnation, state: fc.constantFrom('alive', 'suspect', 'dead') as fc.Arbitrary<'alive' | 'suspect' | 'dead'>, st: fc.constantFrom(...NODE_STATUSES) })
      .map(({ h, subject, si, state, st }): WireMessage => ({ ...h, type: 'verdict', subject, subjectIncarnation: si, state, subjectStatus: st })),
    fc.record({ h: header, members: fc.array(entry, { maxLength: 30 }) }).map(({ h, members }): WireMessage => ({ ...h, type: 'digest', members: members.map(({ proof: _p, ...m }) => m) })),
    fc.record({ h: header, members: fc.array(entry, { maxLength: 30 }) }).map(({ h, members }): WireMessage => ({ ...h, type: 'signed-digest', members })),
    fc.record({ h: header, checksum: fc.oneof(fc.stringMatching(/^[0-9a-f]{16}$/), text) }).map(({ h, checksum }): WireMessage => ({ ...h, type: 'checksum', checksum })),
    fc.record({ h: header, name: text, addrs, left: fc.boolean(), signature }).map(({ h, name, addrs, left, signature }): WireMessage => ({ ...h, type: 'record', name, addrs, left, signature }))
  )
}

/** Encodes, or undefined when the encoder itself refuses the (out-of-range) values. */
function tryEncode(message: WireMessage): Uint8Array | undefined {
  try {
    return encodeMessage(message)
  } catch {
    return undefined
  }
}

/** Values of every msgpack type, for wrong-type mutations. */
const wrongValue = fc.oneof(
  fc.string({ maxLength: 30 }), fc.constantFrom('length', '__proto__', 'constructor', 'toString', '0', '1'), fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 53 + 2, 2 ** 64, -(2 ** 63)),
  fc.uint8Array({ maxLength: 40 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 5 }),
  fc.array(fc.integer(), { maxLength: 5 }), fc.constant({ __proto__: { polluted: true } }), fc.constant({ constructor: 1, toString: 2 })
)

function unpackArray(bytes: Uint8Array): unknown[] | undefined {
  try {
    const raw: unknown = packr.unpack(bytes)
    return Array.isArray(raw) ? raw : undefined
  } catch {
    return undefined
  }
}

function mutate(bytes: Uint8Array, mutation: Mutation, r: { ints: number[]; value: unknown; extra: Uint8Array }): Uint8Array {
  const pick = (i: number, n: number): number => (n <= 0 ? 0 : Math.abs(r.ints[i] ?? 0) % n)
  switch (mutation) {
    case 'bitflip': {
      const out = Uint8Array.from(bytes)
      const flips = 1 + pick(0, 8)
      for (let i = 0; i < flips; i++) {
        const bit = pick(i + 1, out.length * 8)
        out[bit >> 3]! ^= 1 << (bit & 7)
      }
      return out
    }
    case 'truncate': return bytes.subarray(0, pick(0, bytes.length))
    case 'append': return Buffer.concat([bytes, r.extra])
    case 'swap': {
      const fields = unpackArray(bytes)
      if (fields === undefined || fields.length < 2) return bytes
      const a = pick(0, fields.length)
      const b = pick(1, fields.length)
      ;[fields[a], fields[b]] = [fields[b], fields[a]]
      return packr.pack(fields)
    }
    case 'wrong-type': {
      const fields = unpackArray(bytes)
      if (fields === undefined) return bytes
      fields[pick(0, fields.length)] = r.value
      return packr.pack(fields)
    }
    case 'huge-array': {
      const fields = unpackArray(bytes)
      if (fields === undefined) return bytes
      // Past every per-field bound; the largest is also past messageBytesMax once encoded.
      const length = [17, 33, 1000, 20_000, 100_001][pick(1, 5)]!
      fields[pick(0, fields.length)] = Array.from({ length }, (_, i) => (pick(2, 2) === 0 ? i : 'x'))
      return packr.pack(fields)
    }
    case 'deep-nesting': {
      // Nested one-element arrays written by hand (0x91 = fixarray of 1): a decoder that
      // recursed without bound would overflow its stack here.
      const depth = [100, 10_000, 60_000][pick(0, 3)]!
      const out = new Uint8Array(depth + 1).fill(0x91)
      out[depth] = 0x01
      return out
    }
  }
}

const MUTATIONS: readonly Mutation[] = ['bitflip', 'truncate', 'append', 'swap', 'wrong-type', 'huge-array', 'deep-nesting']

/** The arbitrary of one case (see the file comment). */
export function wireCaseArb(ctx: CaseContext): fc.Arbitrary<WireCase> {
  const message = messageArb(ctx)
  const events = eventsTopic(ctx.cluster)
  // Mostly the sender and topic the content claims; one in ten from another member, one in ten
  // on the wrong kind of topic.
  const route = (m: WireMessage, honest: boolean, otherFrom: string, wrongTopic: boolean): { topic: string; from: string } => {
    const from = honest ? m.sender : otherFrom
    const onHeartbeatTopic = (m.type === 'heartbeat') !== wrongTopic
    return { topic: onHeartbeatTopic ? heartbeatTopic(ctx.cluster, from) : events, from }
  }
  const routing = fc.record({ liar: fc.nat({ max: 9 }), otherFrom: fc.constantFrom(...ctx.members), otherTopic: fc.nat({ max: 9 }) })
  const generated = fc.record({ m: message, routing }).map(({ m, routing }): WireCase | undefined => {
    const data = tryEncode(m)
    if (data === undefined) return undefined
    return { family: 'generated', data, ...route(m, routing.liar !== 0, routing.otherFrom, routing.otherTopic === 0) }
  })
  const mutated = fc.record({
    m: message, routing, mutation: fc.constantFrom(...MUTATIONS),
    ints: fc.array(fc.integer(), { minLength: 12, maxLength: 12 }), value: wrongValue, extra: fc.uint8Array({ minLength: 1, maxLength: 64 })
  }).map(({ m, routing, mutation, ints, value, extra }): WireCase | undefined => {
    const data = tryEncode(m)
    if (data === undefined) return undefined
    return { family: 'mutated', mutation, data: mutate(data, mutation, { ints, value, extra }), ...route(m, routing.liar !== 0, routing.otherFrom, routing.otherTopic === 0) }
  })
  const random = fc.record({ data: fc.uint8Array({ maxLength: 300 }), from: fc.constantFrom(...ctx.members), hb: fc.boolean() })
    .map(({ data, from, hb }): WireCase => ({ family: 'random', data, from, topic: hb ? heartbeatTopic(ctx.cluster, from) : events }))
  return fc.oneof({ weight: 3, arbitrary: generated }, { weight: 6, arbitrary: mutated }, { weight: 1, arbitrary: random })
    .filter((c): c is WireCase => c !== undefined)
}
