/**
 * ClusterNode.stoppedActors(), the accessor the alerting runtime raises its alert on: the node's
 * own supervisor parks an actor past its restart budget (actorRestartsMax 5 in actorRestartWindowMs 60 s) and restarts it actorReviveAfterMsMin (30 s)
 * later on the node's clock. On virtual time, in a one-node VirtualCluster.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { VirtualCluster } from '../../src/sim/virtual-cluster.ts'

test('an actor failing past its budget counts in stoppedActors() until its 30 s cooldown ends', { timeout: 30_000 }, async () => {
  const cluster = new VirtualCluster({ seed: 3 })
  const node = await cluster.add('n0')
  let failing = true
  const ref = node.supervisor.spawn<string>('probe', () => ({ receive() { if (failing) throw new Error('bad input') } }))
  for (let i = 0; i < 6; i++) {
    ref.send('x')
    await cluster.runFor(10)
  }
  assert.equal(node.stoppedActors(), 1)
  assert.equal(node.supervisor.stats.stopped, 1)
  failing = false
  await cluster.runFor(29_000)
  assert.equal(node.stoppedActors(), 1, 'still stopped before the cooldown ends')
  await cluster.runFor(1_100)
  assert.equal(node.stoppedActors(), 0)
  assert.equal(node.supervisor.stats.revived, 1)
  assert.equal(ref.send('y'), true, 'the same ref works again')
  await node.stop({ leave: false })
})
