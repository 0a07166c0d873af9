import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { compileMatcher, matchesAll, parseMatcher, formatMatcher } from '../../src/alerts/matchers.ts'
import { fingerprint, commonLabels } from '../../src/alerts/labels.ts'

describe('label matchers (Alertmanager semantics)', () => {
  const labels = { alertname: 'PeerDead', peer: 'web-3', severity: 'critical' }
  const TABLE: [string, boolean][] = [
    ['alertname=PeerDead', true],
    ['alertname="PeerDead"', true],
    ['alertname!=PeerDead', false],
    ['peer=~web-.*', true],
    ['peer=~web', false], // anchored: the whole value must match
    ['peer=~"eb-3"', false],
    ['peer!~"db-.*"', true],
    ['missing=""', true], // a missing label matches as the empty string
    ['missing=~".+"', false],
    ['missing!=x', true],
    ['severity=~"warning|critical"', true]
  ]
  for (const [text, expected] of TABLE) {
    test(`${text} → ${expected}`, () => {
      assert.equal(compileMatcher(parseMatcher(text)).test(labels), expected)
    })
  }

  test('matchesAll needs every matcher; none matches everything', () => {
    assert.equal(matchesAll([], labels), true)
    assert.equal(matchesAll(['alertname=PeerDead', 'peer=web-4'].map((t) => compileMatcher(parseMatcher(t))), labels), false)
  })

  test('format and parse round-trip, quotes and escapes included', () => {
    const m = { name: 'peer', op: '=~' as const, value: 'a"b|c' }
    assert.deepEqual(parseMatcher(formatMatcher(m)), m)
  })

  const UNSAFE: [string, RegExp][] = [
    ['x=~"(a+)+"', /nested quantifiers/],
    ['x=~"(a|aa)*"', /nested quantifiers/],
    ['x=~"((ab)*)+"', /nested quantifiers/],
    ['x=~"(a)\\1"', /backreferences/],
    ['x=~"(?=a)a"', /lookaround/],
    ['x=~"(unclosed"', /Invalid regular expression|Unterminated/i],
    [`x=~"${'a'.repeat(300)}"`, /longer than 256/],
    ['1x=y', /not name=value/],
    ['x', /not name=value/]
  ]
  for (const [text, message] of UNSAFE) {
    test(`refuses ${text.slice(0, 20)}`, () => {
      assert.throws(() => compileMatcher(parseMatcher(text)), message)
    })
  }

  test('safe regexes still compile: classes with quantifiers, optional groups, alternation', () => {
    for (const text of ['x=~"[a-z]+-[0-9]*"', 'x=~"(web|db)-[0-9]+"', 'x=~"(ab)?c"', 'x=~"[(+]+"']) compileMatcher(parseMatcher(text))
  })

  test('a pathological input does not take exponential time once refused patterns are out', () => {
    const m = compileMatcher(parseMatcher('x=~"a*a*a*b"'))
    assert.equal(m.test({ x: 'a'.repeat(1024) }), false)
  })
})

describe('fingerprints', () => {
  test('Prometheus LabelSet.Fingerprint: FNV-1a 64 over sorted name, 0xff, value, 0xff', () => {
    assert.equal(fingerprint({}), 'cbf29ce484222325') // FNV-1a 64 offset basis: the empty set
    // Reference values computed with BigInt FNV-1a 64 over the same byte sequence.
    assert.equal(fingerprint({ a: 'é✓' }), '33cf42e742a7da75')
    assert.equal(fingerprint({ alertname: 'ProbeFailure', instance: 'https://server.example.org', job: 'http_checks', monitor: 'master', severity: 'critical' }), 'fe986f5dcb3e6510')
  })

  test('order-independent, value-sensitive', () => {
    assert.equal(fingerprint({ a: '1', b: '2' }), fingerprint({ b: '2', a: '1' }))
    assert.notEqual(fingerprint({ a: '1', b: '2' }), fingerprint({ a: '12', b: '' }))
  })

  test('commonLabels keeps what every set shares', () => {
    assert.deepEqual(commonLabels([{ a: '1', b: '2', c: '3' }, { a: '1', b: 'x', c: '3' }]), { a: '1', c: '3' })
    assert.deepEqual(commonLabels([]), {})
  })
})
