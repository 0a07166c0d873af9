import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { ERROR_CODES } from '../src/errors.ts'

test('src/ERRORS.md lists exactly the codes in ERROR_CODES, with the same meanings', () => {
  const doc = readFileSync(new URL('../src/ERRORS.md', import.meta.url), 'utf8')
  const rows = [...doc.matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]])
  assert.deepEqual(Object.fromEntries(rows), ERROR_CODES)
})
