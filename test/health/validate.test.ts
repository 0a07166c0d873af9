/** Metric validation: a table of good and bad samples, each bad one dropped with its reason and counted. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Sample } from '../../src/health/types.ts'
import { checkSample, REJECT_REASONS, SAMPLE_LIMITS, SampleValidator } from '../../src/health/validate.ts'

const NOW = 1_800_000_000_000
const ok: Sample = { name: 'node_load1', labels: {}, value: 0.5, unit: 'none', atMs: NOW }
const s = (over: Partial<Sample>): Sample => ({ ...ok, ...over })

describe('checkSample', () => {
  const table: [string, Sample, string | undefined][] = [
    ['a plain gauge', ok, undefined],
    ['a labelled percent', s({ name: 'healthmon_filesystem_used_percent', labels: { mountpoint: '/' }, value: 55, unit: 'percent' }), undefined],
    ['a negative plain number (a temperature)', s({ value: -12 }), undefined],
    ['a name with a dash', s({ name: 'node-load' }), 'name'],
    ['a name starting with a digit', s({ name: '1load' }), 'name'],
    ['a reserved __ name', s({ name: '__name__' }), 'name'],
    ['a name too long', s({ name: 'a'.repeat(SAMPLE_LIMITS.nameLengthMax + 1) }), 'name'],
    ['an unknown unit', s({ unit: 'furlongs' as never }), 'unit'],
    ['NaN', s({ value: Number.NaN }), 'non-finite'],
    ['Infinity', s({ value: Number.POSITIVE_INFINITY }), 'non-finite'],
    ['a string value', s({ value: '1' as never }), 'non-finite'],
    ['percent above 100', s({ value: 100.5, unit: 'percent' }), 'out-of-range'],
    ['a negative byte count', s({ value: -1, unit: 'bytes' }), 'out-of-range'],
    ['a negative duration', s({ value: -0.1, unit: 'seconds' }), 'out-of-range'],
    ['a ratio above 1', s({ value: 1.2, unit: 'ratio' }), 'out-of-range'],
    ['an implausible magnitude', s({ value: 1e19 }), 'out-of-range'],
    ['a sample from the far future', s({ atMs: NOW + SAMPLE_LIMITS.futureToleranceMs + 1 }), 'time'],
    ['too many labels', s({ labels: Object.fromEntries(Array.from({ length: SAMPLE_LIMITS.labelsMax + 1 }, (_, i) => [`l${i}`, 'v'])) }), 'labels'],
    ['a label name with a dot', s({ labels: { 'mount.point': '/' } }), 'label-name'],
    ['a label value too long', s({ labels: { check: 'x'.repeat(SAMPLE_LIMITS.labelValueLengthMax + 1) } }), 'label-value'],
    ['a label value with a newline', s({ labels: { check: 'a\nb' } }), 'label-value']
  ]
  for (const [what, sample, reason] of table) test(`${what}: ${reason ?? 'accepted'}`, () => assert.equal(checkSample(sample, NOW), reason))
})

describe('SampleValidator', () => {
  test('admits the good samples in order and counts every drop by reason', () => {
    const v = new SampleValidator()
    const out = v.admit([ok, s({ value: Number.NaN }), s({ name: 'b', value: 2 }), s({ unit: 'percent', value: 200 }), s({ value: Number.NaN })], NOW)
    assert.deepEqual(out.map((x) => x.name), ['node_load1', 'b'])
    assert.equal(v.accepted, 2)
    assert.equal(v.rejected['non-finite'], 2)
    assert.equal(v.rejected['out-of-range'], 1)
    assert.deepEqual(Object.keys(v.rejected).sort(), [...REJECT_REASONS].sort())
  })
})
