import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { ClusterView, PeerState } from '../../src/api/protocol.ts'
import { ProcessCluster, type AgentProcess } from '../../src/sim/process-cluster.ts'

/**
 * Five real agent processes on 127.0.0.1 with real libp2p, observed through their sockets.
 * The scenarios run in order on one cluster: converge, SIGKILL -> dead, restart -> alive with a
 * higher incarnation, SIGTERM -> left.
 */
const stateOf = (view: ClusterView, id: string): PeerState | undefined => view.peers.find((p) => p.id === id)?.state

describe('five real agents', { timeout: 180_000 }, () => {
  const cluster = new ProcessCluster({ size: 5 })
  const ids = new Map<AgentProcess, string>()
  before(async () => {
    await cluster.start()
    for (const a of cluster.agents) ids.set(a, (await cluster.view(a)).self.id)
  })
  after(async () => {
    await cluster.close()
  })

  const others = (agent: AgentProcess) => cluster.agents.filter((a) => a !== agent && a.child !== undefined)

  test('converge: each agent sees the 4 others alive', async () => {
    const took = await cluster.waitUntil(cluster.agents, (v) => v.peers.length === 4 && v.peers.every((p) => p.state === 'alive'), 30_000)
    assert.ok(took !== undefined, 'converged')
  })

  test('SIGKILL of one: the other 4 report it dead', async () => {
    const victim = cluster.agents[3]!
    const id = ids.get(victim)!
    const incarnation = (await cluster.view(cluster.agents[0]!)).peers.find((p) => p.id === id)!.incarnation
    await cluster.kill(victim)
    const took = await cluster.waitUntil(others(victim), (v) => stateOf(v, id) === 'dead', 20_000)
    assert.ok(took !== undefined, 'dead everywhere')

    // Restart with the same data dir: same peer id, alive again everywhere, higher incarnation.
    await cluster.restart(victim)
    assert.equal((await cluster.view(victim)).self.id, id, 'the node key persisted')
    const back = await cluster.waitUntil(others(victim), (v) => stateOf(v, id) === 'alive' && v.peers.find((p) => p.id === id)!.incarnation > incarnation, 30_000)
    assert.ok(back !== undefined, 'alive again everywhere with a higher incarnation')
  })

  test('SIGTERM of one: the others report it left', async () => {
    const leaver = cluster.agents[4]!
    const id = ids.get(leaver)!
    const code = await cluster.terminate(leaver)
    assert.equal(code, 0, 'clean exit')
    const took = await cluster.waitUntil(others(leaver), (v) => stateOf(v, id) === 'left', 15_000)
    const seen = await Promise.all(others(leaver).map(async (a) => `${a.name}: ${stateOf(await cluster.view(a), id)}`))
    assert.ok(took !== undefined, `left everywhere; seen ${seen.join(', ')}`)
  })
})
