import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { PeerState } from '../../src/api/protocol.ts'
import { VirtualCluster } from '../../src/sim/virtual-cluster.ts'

/** Every running node other than `subject` sees `subject` in `state`. */
function allSee(cluster: VirtualCluster, running: string[], subject: string, state: PeerState): boolean {
  return running.filter((id) => id !== subject).every((id) => cluster.get(id).node.view.stateOf(subject) === state)
}

function allAlive(cluster: VirtualCluster, running: string[]): boolean {
  return running.every((id) => {
    const peers = cluster.get(id).node.clusterView().peers
    return peers.length === running.length - 1 && peers.every((p) => p.state === 'alive')
  })
}

async function startCluster(n: number, seed = 1): Promise<{ cluster: VirtualCluster; ids: string[] }> {
  const cluster = new VirtualCluster({ seed, node: { antiEntropyIntervalMs: 1000 } })
  const ids = Array.from({ length: n }, (_, i) => `n${i}`)
  await cluster.add(ids[0]!)
  for (const id of ids.slice(1)) await cluster.add(id, [ids[0]!])
  const took = await cluster.runUntil(() => allAlive(cluster, ids), 60_000)
  assert.ok(took !== undefined, 'cluster converged')
  return { cluster, ids }
}

describe('cluster node on virtual time', { timeout: 60_000 }, () => {
  test('a listener that throws on every event does not stop detection: caught, counted, the others still hear', async () => {
    const { cluster, ids } = await startCluster(5)
    await cluster.runFor(10_000)
    const heard: string[] = []
    for (const id of ids) {
      const events = cluster.get(id).node.events
      events.on('peer:suspected', () => { throw new Error('embedder bug') })
      events.on('peer:dead', () => { throw new Error('embedder bug') })
      events.on('peer:dead', (e) => heard.push(`${id}:${e.peer}`))
    }
    const victim = 'n2'
    const rest = ids.filter((id) => id !== victim)
    await cluster.crash(victim)
    const took = await cluster.runUntil(() => allSee(cluster, rest, victim, 'dead'), 10_000)
    assert.ok(took !== undefined && took <= 5000, `dead everywhere after ${took} ms`)
    assert.deepEqual(heard.sort(), rest.map((id) => `${id}:${victim}`).sort(), 'the listener after the throwing one still heard')
    for (const id of rest) {
      const node = cluster.get(id).node
      assert.ok(node.events.listenerErrors >= 2, `${id} counted the throws`)
      assert.equal(node.supervisor.stats.restarts, 0, 'no actor failed')
    }
  })

  test('5 nodes converge: each sees the 4 others alive, with every observer agreeing', async () => {
    const { cluster, ids } = await startCluster(5)
    await cluster.runFor(10_000)
    assert.ok(allAlive(cluster, ids))
    for (const id of ids) {
      for (const p of cluster.get(id).node.clusterView().peers) {
        assert.equal(p.observedBySelf, true, 'small cluster: everyone observes everyone')
        assert.deepEqual(p.observers, { agree: 4, total: 4 })
        assert.ok(p.phi !== null && p.phi < 1, `phi ${p.phi}`)
      }
    }
  })

  test('a crashed node is suspected, then dead at every other node within 5 s; its restart is alive with a higher incarnation', async () => {
    const { cluster, ids } = await startCluster(5)
    // A settled cluster: the detectors have real samples, not the first-heartbeat estimate.
    await cluster.runFor(10_000)
    const victim = 'n3'
    const rest = ids.filter((id) => id !== victim)
    const before = cluster.get('n0').node.clusterView().peers.find((p) => p.id === victim)!.incarnation
    await cluster.crash(victim)
    const took = await cluster.runUntil(() => allSee(cluster, rest, victim, 'dead'), 10_000)
    assert.ok(took !== undefined && took <= 5000, `dead everywhere after ${took} ms`)
    const events = cluster.get('n0').node.alerts().filter((a) => a.peer === victim).map((a) => a.to)
    assert.deepEqual(events.slice(-2), ['suspect', 'dead'])
    await cluster.restart(victim, ['n0'])
    const back = await cluster.runUntil(() => allSee(cluster, ids, victim, 'alive'), 20_000)
    assert.ok(back !== undefined, 'restarted node alive everywhere')
    const after = cluster.get('n0').node.clusterView().peers.find((p) => p.id === victim)!
    assert.ok(after.incarnation > before, `incarnation ${after.incarnation} > ${before}`)
    assert.ok(after.failureCount >= 1)
  })

  test('a graceful leave is seen as left, not dead', async () => {
    const { cluster, ids } = await startCluster(5)
    await cluster.leave('n2')
    const rest = ids.filter((id) => id !== 'n2')
    assert.ok(await cluster.runUntil(() => allSee(cluster, rest, 'n2', 'left'), 5000) !== undefined)
    await cluster.runFor(20_000)
    assert.ok(allSee(cluster, rest, 'n2', 'left'), 'still left, never dead')
  })

  test('a 3 s pause (SIGSTOP) is never declared dead', async () => {
    const { cluster, ids } = await startCluster(5)
    const rest = ids.filter((id) => id !== 'n1')
    let sawDead = false
    for (const id of rest) cluster.get(id).node.events.on('peer:dead', (e) => { if (e.peer === 'n1') sawDead = true })
    cluster.network.setPaused('n1', true)
    cluster.get('n1') // the node's timers keep running on the shared clock: its sends are held while paused
    await cluster.runFor(3000)
    cluster.network.setPaused('n1', false)
    await cluster.runFor(15_000)
    assert.equal(sawDead, false)
    assert.ok(allAlive(cluster, ids))
  })

  test('12 nodes with k=8: non-observers learn a death from the observers\' reports', async () => {
    const { cluster, ids } = await startCluster(12, 7)
    const victim = 'n5'
    await cluster.runFor(5000)
    const nonObservers = ids.filter((id) => id !== victim && !cluster.get(id).node.clusterView().peers.find((p) => p.id === victim)!.observedBySelf)
    assert.ok(nonObservers.length > 0, 'some nodes do not observe the victim')
    const deadEvents: { at: string; observedBySelf: boolean }[] = []
    for (const id of ids) cluster.get(id).node.events.on('peer:dead', (e) => { if (e.peer === victim) deadEvents.push({ at: id, observedBySelf: e.observedBySelf }) })
    await cluster.crash(victim)
    const rest = ids.filter((id) => id !== victim)
    const took = await cluster.runUntil(() => allSee(cluster, rest, victim, 'dead'), 10_000)
    assert.ok(took !== undefined && took <= 5000, `dead everywhere after ${took} ms`)
    for (const id of nonObservers) {
      const e = deadEvents.find((d) => d.at === id)
      assert.equal(e?.observedBySelf, false, `${id} learned the death from reports`)
    }
  })

  test('a partition: each side declares the other dead; after healing every node sees every other alive', async () => {
    const { cluster, ids } = await startCluster(6, 3)
    const [left, right] = [ids.slice(0, 3), ids.slice(3)]
    for (const a of left) for (const b of right) cluster.network.cutLink(a, b)
    const split = await cluster.runUntil(() => left.every((a) => right.every((b) => cluster.get(a).node.view.stateOf(b) === 'dead' && cluster.get(b).node.view.stateOf(a) === 'dead')), 30_000)
    assert.ok(split !== undefined, 'both sides see the other dead')
    for (const a of left) for (const b of right) cluster.network.healLink(a, b)
    const healed = await cluster.runUntil(() => allAlive(cluster, ids), 60_000)
    assert.ok(healed !== undefined, 'converged after healing')
  })
})
