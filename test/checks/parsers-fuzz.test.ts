/**
 * Plugin output and check-in bodies come from outside the agent: whatever they hold, parsing
 * must not throw, must stay within its bounds and must only yield finite, known-unit values.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import fc from 'fast-check'
import { checkInNote } from '../../src/api/check-in-body.ts'
import { PERF_ITEMS_MAX, PERF_LABEL_CHARS_MAX } from '../../src/checks/perfdata.ts'
import { parsePluginOutput } from '../../src/checks/plugin-output.ts'
import { SAMPLE_UNITS } from '../../src/health/types.ts'

/** Text built from the characters that matter to the format, plus anything at all. */
const pluginText = fc.oneof(
  fc.string({ maxLength: 600 }),
  fc.array(fc.constantFrom("'", '=', ';', '|', ' ', '\n', '\r', '-', '.', '1', '9', 'e', 'E', 'U', '%', 'B', 'KB', 'ms', 'c', '~', '@', ':', 'a', 'é', '\u0000'), { maxLength: 400 }).map((parts) => parts.join(''))
)

test('parsePluginOutput never throws and stays within its bounds', () => {
  fc.assert(fc.property(pluginText, (text) => {
    const parsed = parsePluginOutput(text)
    assert.ok(!parsed.summary.includes('\n'))
    assert.ok(parsed.perfdata.length <= PERF_ITEMS_MAX)
    for (const item of parsed.perfdata) {
      assert.ok(Number.isFinite(item.value))
      assert.ok(item.label.length > 0 && item.label.length <= PERF_LABEL_CHARS_MAX)
      assert.ok(SAMPLE_UNITS.includes(item.unit))
      if (item.min !== undefined) assert.ok(Number.isFinite(item.min))
      if (item.max !== undefined) assert.ok(Number.isFinite(item.max))
    }
    for (const count of Object.values(parsed.rejected)) assert.ok(Number.isInteger(count) && count >= 0)
  }), { numRuns: 2000 })
})

test('well-formed items always parse back to their values', () => {
  const item = fc.record({
    label: fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\s']/.test(s) && !s.includes('=')),
    value: fc.integer({ min: -1_000_000, max: 1_000_000 }),
    uom: fc.constantFrom('', 's', '%', 'B', 'c')
  })
  fc.assert(fc.property(fc.array(item, { minLength: 1, maxLength: 10 }), (items) => {
    const parsed = parsePluginOutput(`OK | ${items.map((i) => `'${i.label}'=${i.value}${i.uom};;;`).join(' ')}`)
    assert.deepEqual(parsed.perfdata.map((p) => [p.label, p.value]), items.map((i) => [i.label, i.value]))
  }), { numRuns: 500 })
})

test('checkInNote never throws: a note, none, or a 400', () => {
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.json({ maxDepth: 3 })), (text) => {
    const note = checkInNote(Buffer.from(text))
    assert.ok(note === undefined || typeof note === 'string' || note.code === 'BAD_REQUEST')
  }), { numRuns: 2000 })
})
