import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { Packr } from 'msgpackr'
import { ALERTING_LIMITS, type WireMark, type WireSilence } from '../../src/transport/alerting-wire.ts'
import { decodeMessage, encodeMessage, INCARNATION_MAX, MESSAGE_TAGS, WIRE_LIMITS, WIRE_VERSION, type AlertingMessage, type WireMessage } from '../../src/transport/codec.ts'

/** Wire tags 9 (alerting) and 10 (force-leave): round trips, bounds, and malformed bodies. */
const header = { cluster: 'c1', sender: 'peer-a', incarnation: 3, seq: 7 }
const raw = new Packr({ useRecords: false })
const head = (tag: number) => [WIRE_VERSION, tag, 'c1', 'peer-a', 3, 7]
const ALERTING = MESSAGE_TAGS.alerting
const FORCE_LEAVE = MESSAGE_TAGS['force-leave']

const mark = (more: Partial<WireMark> = {}): WireMark => ({ fingerprint: '0123456789abcdef', status: 'firing', atMs: 1_700_000_000_000, ...more })
const silence = (more: Partial<WireSilence> = {}): WireSilence => ({
  id: 'sil-1',
  matchers: [{ name: 'alertname', op: '=', value: 'PeerDead' }, { name: 'peer', op: '=~', value: 'web-.*' }],
  startsAtMs: 1_700_000_000_000, endsAtMs: 1_700_000_600_000, createdBy: 'ops', comment: 'maintenance', updatedAtMs: 1_700_000_000_001, ...more
})
const rawSilence = (s: WireSilence): unknown[] => [s.id, s.matchers.map((m) => [m.name, m.op, m.value]), s.startsAtMs, s.endsAtMs, s.createdBy, s.comment, s.updatedAtMs]
const decode = (bytes: Uint8Array) => decodeMessage(bytes, 65_536)

describe('wire codec: alerting (tag 9) and force-leave (tag 10)', () => {
  const samples: WireMessage[] = [
    { type: 'alerting', ...header, marks: [mark(), mark({ fingerprint: 'ff', status: 'resolved', atMs: 5 })], silences: [silence(), silence({ id: 'sil-2', comment: '' })] },
    { type: 'alerting', ...header, marks: [mark()], silences: [] },
    { type: 'alerting', ...header, marks: [], silences: [silence({ startsAtMs: 1.5, endsAtMs: 2.25, updatedAtMs: 3.125 })] },
    { type: 'force-leave', ...header, subject: 'peer-c', subjectIncarnation: 4 }
  ]
  for (const m of samples) {
    test(`round-trips ${m.type} (${m.type === 'alerting' ? `${m.marks.length} marks, ${m.silences.length} silences` : 'a subject'})`, () => {
      assert.deepEqual(decode(encodeMessage(m)), { ok: true, message: m })
    })
  }

  test('the most a message may carry round-trips: 256 marks of 64 hex digits, 32 silences at every field bound', () => {
    const L = ALERTING_LIMITS
    const big = silence({
      id: 'i'.repeat(L.silenceIdCharsMax), createdBy: 'c'.repeat(L.createdByCharsMax), comment: 'x'.repeat(L.commentCharsMax),
      matchers: Array.from({ length: L.matchersMax }, (_, i) => ({ name: `n${i}`.padEnd(L.matcherNameCharsMax, 'n'), op: '!~' as const, value: 'v'.repeat(L.matcherValueCharsMax) }))
    })
    const m: AlertingMessage = {
      type: 'alerting', ...header,
      marks: Array.from({ length: WIRE_LIMITS.alertingMarksMax }, (_, i) => mark({ fingerprint: i.toString(16).padStart(64, 'a') })),
      silences: Array.from({ length: WIRE_LIMITS.alertingSilencesMax }, (_, i) => ({ ...big, id: `${i}`.padEnd(L.silenceIdCharsMax, 'i') }))
    }
    const bytes = encodeMessage(m)
    assert.deepEqual(decodeMessage(bytes, bytes.byteLength), { ok: true, message: m })
    assert.deepEqual(decodeMessage(bytes, bytes.byteLength - 1), { ok: false, reason: 'too-large' }, 'the channel size bound holds for alerting too')
  })

  const marks = (n: number) => Array.from({ length: n }, () => ['ab', 0, 1])
  const rejections: [string, unknown[], string][] = [
    ['an empty batch', [...head(ALERTING), [], []], 'schema'],
    ['a missing silences list', [...head(ALERTING), [['ab', 0, 1]]], 'schema'],
    ['an extra body element', [...head(ALERTING), [['ab', 0, 1]], [], 1], 'schema'],
    ['marks that are not a list', [...head(ALERTING), 'ab', []], 'schema'],
    [`${ALERTING_LIMITS.marksMax + 1} marks`, [...head(ALERTING), marks(ALERTING_LIMITS.marksMax + 1), []], 'schema'],
    [`${ALERTING_LIMITS.silencesMax + 1} silences`, [...head(ALERTING), [], Array.from({ length: ALERTING_LIMITS.silencesMax + 1 }, () => rawSilence(silence()))], 'schema'],
    ['a mark with upper-case hex', [...head(ALERTING), [['AB', 0, 1]], []], 'schema'],
    ['a mark with a non-hex fingerprint', [...head(ALERTING), [['xyz', 0, 1]], []], 'schema'],
    ['a mark with a 65-digit fingerprint', [...head(ALERTING), [['a'.repeat(65), 0, 1]], []], 'schema'],
    ['a mark with an empty fingerprint', [...head(ALERTING), [['', 0, 1]], []], 'schema'],
    ['a mark with an unknown status', [...head(ALERTING), [['ab', 2, 1]], []], 'schema'],
    ['a mark with a negative time', [...head(ALERTING), [['ab', 0, -1]], []], 'schema'],
    ['a mark with an infinite time', [...head(ALERTING), [['ab', 0, Infinity]], []], 'schema'],
    ['a mark with a sender field (4 elements)', [...head(ALERTING), [['ab', 0, 1, 'someone-else']], []], 'schema'],
    ['a force-leave without incarnation', [...head(FORCE_LEAVE), 'peer-c'], 'schema'],
    ['a force-leave with an empty subject', [...head(FORCE_LEAVE), '', 1], 'schema'],
    ['a force-leave above INCARNATION_MAX', [...head(FORCE_LEAVE), 'peer-c', INCARNATION_MAX + 1], 'schema'],
    ['a force-leave with an over-long subject', [...head(FORCE_LEAVE), 'x'.repeat(WIRE_LIMITS.stringLengthMax + 1), 1], 'schema']
  ]
  for (const [what, message, reason] of rejections) {
    test(`rejects ${what} as ${reason}`, () => assert.deepEqual(decode(raw.pack(message)), { ok: false, reason }))
  }

  test('silences of the wrong shape are skipped and counted one by one; the rest of the message is kept', () => {
    const good = silence()
    const bad: unknown[] = [
      'not-an-array',
      rawSilence(silence()).slice(0, 6), // a field missing
      rawSilence(silence({ id: '' })),
      rawSilence(silence({ id: 'i'.repeat(ALERTING_LIMITS.silenceIdCharsMax + 1) })),
      [...rawSilence(silence()).slice(0, 1), [['alertname', '==', 'x']], ...rawSilence(silence()).slice(2)], // unknown op
      [...rawSilence(silence()).slice(0, 1), Array.from({ length: ALERTING_LIMITS.matchersMax + 1 }, () => ['a', '=', 'b']), ...rawSilence(silence()).slice(2)],
      rawSilence(silence({ comment: 'x'.repeat(ALERTING_LIMITS.commentCharsMax + 1) })),
      rawSilence(silence({ createdBy: '' })),
      [...rawSilence(silence()).slice(0, 2), 'soon', ...rawSilence(silence()).slice(3)]
    ]
    const decoded = decode(raw.pack([...head(ALERTING), [['ab', 1, 2]], [rawSilence(good), ...bad]]))
    assert.ok(decoded.ok)
    const m = decoded.message as AlertingMessage
    assert.deepEqual(m.silences, [good])
    assert.equal(m.silencesMalformed, bad.length)
    assert.deepEqual(m.marks, [{ fingerprint: 'ab', status: 'resolved', atMs: 2 }])
  })

  test('a batch whose only silences are malformed is still a message (so they are counted, not penalised as schema)', () => {
    const decoded = decode(raw.pack([...head(ALERTING), [], ['junk']]))
    assert.ok(decoded.ok && decoded.message.type === 'alerting' && decoded.message.silencesMalformed === 1)
  })

  test('mutated alerting and force-leave messages never throw and always answer', () => {
    const base = [
      encodeMessage(samples[0]!),
      encodeMessage(samples[3]!)
    ]
    fc.assert(fc.property(fc.nat({ max: 1 }), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { maxLength: 8 }), fc.nat({ max: 64 }), (which, flips, cut) => {
      const bytes = base[which]!.slice(0, Math.max(1, base[which]!.byteLength - cut))
      for (const [at, value] of flips) bytes[at % bytes.byteLength] = value
      const r = decode(bytes)
      return r.ok ? r.message.type !== undefined : typeof r.reason === 'string'
    }), { numRuns: 2000, seed: 11 })
  })
})
