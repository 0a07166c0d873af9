import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { hasNodeFlags } from '../../src/runtime/node-flags.ts'
import { simNodeFlags } from '../../src/sim/sim-heap.ts'

describe('node flags', () => {
  test('a flag counts as given by name, on the command line or in NODE_OPTIONS, whatever its value', () => {
    const flags = ['--max-old-space-size=1000', '--max-semi-space-size=128']
    assert.equal(hasNodeFlags(flags, ['--max-old-space-size=64', '--max-semi-space-size=1'], ''), true)
    assert.equal(hasNodeFlags(flags, ['--max-old-space-size=64'], '--max-semi-space-size=16'), true)
    assert.equal(hasNodeFlags(flags, ['--max-old-space-size=64'], ''), false, 'one missing: re-exec')
    assert.equal(hasNodeFlags(flags, [], '--max-old-space-size-x=1 --max-semi-space-size=1'), false, 'a longer name is another flag')
  })

  test("the simulator's heap limit is 85 % of the machine's memory, in MiB", () => {
    assert.deepEqual(simNodeFlags(24 * 2 ** 30), ['--max-old-space-size=20889', '--max-semi-space-size=128', '--heap-growing-percent=50'])
    assert.deepEqual(simNodeFlags(2 * 2 ** 30), ['--max-old-space-size=1740', '--max-semi-space-size=128', '--heap-growing-percent=50'])
  })
})
