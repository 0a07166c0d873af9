import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { runSimulation } from '../../src/sim/run-sim.ts'
import { scenario as crash } from '../../simulations/scenarios/crash.ts'
import { scenario as churn } from '../../simulations/scenarios/churn.ts'

/** One seed, one run: the same seed gives the same trace hash and the same summary, byte for byte. */
describe('determinism', { timeout: 60_000 }, () => {
  test('same seed: same trace hash and summary; another seed: another trace', async () => {
    const run = (seed: number) => runSimulation({ scenario: crash, nodes: 20, seed, durationMs: 45_000, svg: false })
    const a = await run(7)
    const b = await run(7)
    const c = await run(8)
    assert.equal(a.traceHash, b.traceHash)
    assert.equal(JSON.stringify(a.summary), JSON.stringify(b.summary))
    assert.notEqual(a.traceHash, c.traceHash)
    assert.ok(a.sim.trace.length > 20 * 19, 'the trace holds every node\'s events')
  })

  test('a scenario full of randomness (churn with loss, jitter and restarts) replays exactly', async () => {
    const scenario = { ...churn, network: { lossRate: 0.02, duplicateRate: 0.01, reorderRate: 0.05 } }
    const run = () => runSimulation({ scenario, nodes: 15, seed: 3, durationMs: 100_000, svg: false })
    const a = await run()
    const b = await run()
    assert.equal(a.traceHash, b.traceHash)
    assert.equal(JSON.stringify(a.summary), JSON.stringify(b.summary))
    assert.ok(a.sim.faults.faults.some((f) => f.kind === 'crash'), 'churn crashed nodes')
  })
})
