import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { seededRandom } from '../../src/runtime/random.ts'
import { SimCluster } from '../../src/sim/sim-cluster.ts'
import { LAN_NETWORK } from '../../src/sim/sim-network.ts'

/**
 * Awareness that recovers (issue 12): an observer SIGSTOPped for 3 s and resumed must, 10 s
 * later, detect a crash as fast as the observers that were never paused: its Lifeguard score
 * falls back with timely heartbeats and answered probes, and its phi windows do not learn the
 * 3 s gaps its own pause made.
 */
async function detectionAfterPause(seed: number): Promise<{ paused: number; others: number[] }> {
  const sim = new SimCluster({ nodes: 6, random: seededRandom(seed), nodeConfig: {}, network: LAN_NETWORK })
  sim.boot('n0', [])
  for (let i = 1; i < 6; i++) sim.boot(`n${i}`, ['n0'])
  assert.notEqual(await sim.runUntilConverged(30_000), undefined)
  await sim.runTo(sim.now() + 20_000)
  sim.pause('n1')
  await sim.runTo(sim.now() + 3000)
  sim.resume('n1')
  await sim.runTo(sim.now() + 10_000)
  assert.equal(sim.get('n1').node!.selfView().awareness, 0, 'awareness back to 0 ten seconds after the pause')
  const crashedAt = sim.now()
  sim.crash('n4')
  const deadAt = new Map<string, number>()
  for (let step = 0; step < 200 && deadAt.size < 5; step++) {
    await sim.runTo(sim.now() + 50)
    for (const id of ['n0', 'n1', 'n2', 'n3', 'n5']) {
      if (!deadAt.has(id) && sim.get(id).node!.view.stateOf('n4') === 'suspect') deadAt.set(id, sim.now() - crashedAt)
    }
  }
  assert.equal(deadAt.size, 5, 'every observer suspected the crashed node')
  return { paused: deadAt.get('n1')!, others: ['n0', 'n2', 'n3', 'n5'].map((id) => deadAt.get(id)!) }
}

describe('awareness recovery after a pause', { timeout: 60_000 }, () => {
  test('a resumed observer suspects a crash no later than the slowest never-paused observer (+ one check period)', async () => {
    for (const seed of [1, 2, 3]) {
      const { paused, others } = await detectionAfterPause(seed)
      const slowest = Math.max(...others)
      assert.ok(paused <= slowest + 300, `seed ${seed}: the paused observer suspected after ${paused} ms; the others after ${others.join(', ')} ms`)
    }
  })
})
