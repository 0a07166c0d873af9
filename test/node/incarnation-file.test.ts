import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { INCARNATION_FILE, nextIncarnation, readIncarnation, writeIncarnation } from '../../src/node/incarnation-file.ts'
import { Identity } from '../../src/node/identity.ts'
import { INCARNATION_MAX } from '../../src/transport/codec.ts'

/** The persisted incarnation cannot be poisoned: validated on read, capped on write (issue 11). */
describe('incarnation file', () => {
  const withDir = (run: (dir: string) => void): void => {
    const dir = mkdtempSync(join(tmpdir(), 'hm-inc-'))
    try {
      run(dir)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  test('each start takes stored + 1', () => withDir((dir) => {
    assert.equal(nextIncarnation(dir), 1)
    assert.equal(nextIncarnation(dir), 2)
    assert.equal(readIncarnation(dir), 2)
  }))

  test('a poisoned or garbled value reads as 0, not as a value that would make every message invalid', () => withDir((dir) => {
    for (const text of [String(2 ** 53), String(Number.MAX_SAFE_INTEGER), String(INCARNATION_MAX + 1), '-3', '1.5', 'garbage', '']) {
      writeFileSync(join(dir, INCARNATION_FILE), `${text}\n`)
      assert.equal(readIncarnation(dir), 0, text)
    }
    writeFileSync(join(dir, INCARNATION_FILE), `${INCARNATION_MAX}\n`)
    assert.equal(readIncarnation(dir), INCARNATION_MAX)
    assert.equal(nextIncarnation(dir), INCARNATION_MAX, 'capped, never above')
  }))

  test('writing a value out of range is a programmer error', () => withDir((dir) => {
    assert.throws(() => writeIncarnation(dir, INCARNATION_MAX + 1), RangeError)
    assert.throws(() => writeIncarnation(dir, Number.MAX_SAFE_INTEGER), RangeError)
    assert.throws(() => writeIncarnation(dir, -1), RangeError)
  }))

  test('a refutation never raises the incarnation past INCARNATION_MAX', () => {
    const persisted: number[] = []
    const id = new Identity({ id: 'a', name: 'a', cluster: 'c', incarnation: INCARNATION_MAX - 1, persist: (n) => persisted.push(n) })
    assert.equal(id.refute(INCARNATION_MAX - 1), true)
    assert.equal(id.incarnation, INCARNATION_MAX)
    assert.equal(id.refute(INCARNATION_MAX), false)
    assert.equal(id.incarnation, INCARNATION_MAX)
    assert.deepEqual(persisted, [INCARNATION_MAX])
  })
})
