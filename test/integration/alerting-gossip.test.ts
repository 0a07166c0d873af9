import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { after, before, describe, test } from 'node:test'
import type { Silence } from '../../src/alerts/silences.ts'
import { validateConfig } from '../../src/config/load.ts'
import { defaultConfig, PROFILES } from '../../src/config/profiles.ts'
import type { AlertingUpdate } from '../../src/node/alerting-gossip.ts'
import { ClusterNode } from '../../src/node/cluster-node.ts'
import { systemClock } from '../../src/runtime/clock.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { systemRandom } from '../../src/runtime/random.ts'
import { Attacker } from '../../src/sim/attacker.ts'
import { createLibp2pTransport, type Libp2pTransport } from '../../src/transport/libp2p-transport.ts'

/**
 * Cluster-wide alerting gossip between three real ClusterNodes on libp2p over TCP on 127.0.0.1
 * (ephemeral ports), on real time, in this process. The scenarios run in order on one cluster: a
 * silence from A reaches B and C; A's mark reaches B attributed to A; a member's force-leave of
 * a live node is refused everywhere; C stopped without a leave is dead, and A's cluster
 * force-leave makes it left at B; a node joining later learns the silences and C's force-leave.
 */
const CLUSTER = 'alerting-it'
const T0 = Date.UTC(2026, 0, 1)

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
/** Polls a condition of the real cluster, bounded in time (50 ms steps). */
async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!predicate()) {
    if (performance.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(50)
  }
}

async function transport(): Promise<Libp2pTransport> {
  return createLibp2pTransport({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    allowPeers: [],
    messageBytesMax: 65_536,
    inboundConnectionsPerHostPerSecondMax: 10_000,
    gossipIpColocationPenalty: false,
    clock: systemClock(),
    logger: silentLogger()
  })
}

async function agent(name: string, join: string[]): Promise<ClusterNode> {
  const options = validateConfig({
    ...defaultConfig(), ...PROFILES['local-test'], cluster: CLUSTER, name, join,
    heartbeatIntervalMs: 250, suspicionTimeoutMs: 1000, suspicionTimeoutMsMin: 250
  })
  const node = new ClusterNode({ transport: await transport(), clock: systemClock(), random: systemRandom(), logger: silentLogger(), options, incarnation: 1 })
  await node.start()
  return node
}

const silence = (id: string): Silence => ({
  id, matchers: [{ name: 'alertname', op: '=', value: 'PeerDead' }, { name: 'peer', op: '=', value: 'web-3' }],
  startsAtMs: T0, endsAtMs: T0 + 7_200_000, createdBy: 'ops@example', comment: 'planned reboot', updatedAtMs: T0 + 1
})

describe('alerting gossip between three real agents (libp2p over TCP on 127.0.0.1)', { timeout: 150_000 }, () => {
  const nodes: ClusterNode[] = []
  const got = new Map<string, AlertingUpdate[]>()
  let a: ClusterNode, b: ClusterNode, c: ClusterNode
  let mallory: Libp2pTransport | undefined

  before(async () => {
    a = await agent('a', [])
    const addr = a.selfView().addrs[0]!
    b = await agent('b', [addr])
    c = await agent('c', [addr])
    nodes.push(a, b, c)
    for (const n of nodes) {
      got.set(n.id, [])
      n.onAlerting((u) => got.get(n.id)!.push(u))
    }
  })
  after(async () => {
    await mallory?.stop().catch(() => {})
    await Promise.all(nodes.map((n) => n.stop({ leave: false }).catch(() => {})))
  })

  test('the three converge', async () => {
    await waitFor('every node sees the two others alive', () => nodes.every((n) => n.clusterView().peers.filter((p) => p.state === 'alive').length === 2))
  })

  test('a silence published on A arrives at B and C, from A', async () => {
    a.publishAlerting({ silences: [silence('maint-web-3')] })
    await waitFor('B and C have the silence', () => [b, c].every((n) => got.get(n.id)!.some((u) => u.silences.some((s) => s.id === 'maint-web-3'))))
    for (const n of [b, c]) {
      const u = got.get(n.id)!.find((x) => x.silences.length > 0)!
      assert.equal(u.from, a.id)
      assert.deepEqual(u.silences, [silence('maint-web-3')])
    }
    assert.deepEqual(got.get(a.id), [], 'not echoed to its sender')
  })

  test('a mark published by A arrives at B with from and by = A\'s id', async () => {
    a.publishAlerting({ marks: [{ fingerprint: '1f2e3d4c5b6a7988', status: 'firing', by: a.id, atMs: T0 + 5 }] })
    await waitFor('B has the mark', () => got.get(b.id)!.some((u) => u.marks.length > 0))
    const u = got.get(b.id)!.find((x) => x.marks.length > 0)!
    assert.equal(u.from, a.id)
    assert.deepEqual(u.marks, [{ fingerprint: '1f2e3d4c5b6a7988', status: 'firing', by: a.id, atMs: T0 + 5 }])
  })

  test('a force-leave of a live node, from a member holding only its own key, is refused at every receiver and refuted by its subject', async () => {
    assert.deepEqual(a.forceLeave(b.id, { cluster: true }), { ok: false, reason: 'alive' }, 'refused at the source too')
    mallory = await transport()
    await mallory.start()
    await mallory.dial(a.selfView().addrs[0]!)
    const m = new Attacker(mallory, CLUSTER)
    m.listen()
    // Its announcement is taken once gossipsub has its subscription: announce until all three know it.
    const deadline = performance.now() + 15_000
    while (!nodes.every((n) => n.view.stateOf(m.id) === 'alive')) {
      if (performance.now() > deadline) assert.fail('mallory never became a member')
      await m.announce()
      await sleep(200)
    }
    const bIncarnation = b.incarnation
    await m.forceLeave(b.id, bIncarnation)
    await waitFor('A, B and C count the refusal', () => nodes.every((n) => n.membership.dropped['force-leave-live'] >= 1))
    await waitFor('B refuted', () => b.incarnation > bIncarnation)
    assert.ok([a, c].every((n) => n.view.stateOf(b.id) === 'alive'), 'B is alive at A and C')
    await mallory.stop()
    mallory = undefined
  })

  test('C stopped without a leave is dead at A and B; A\'s cluster force-leave makes it left at B', async () => {
    const cId = c.id
    await c.stop({ leave: false })
    await waitFor('C dead at A and B', () => [a, b].every((n) => n.view.stateOf(cId) === 'dead'), 20_000)
    assert.deepEqual(a.forceLeave(cId, { cluster: true }), { ok: true, id: cId, alreadyLeft: false })
    assert.equal(a.view.stateOf(cId), 'left')
    await waitFor('C left at B', () => b.view.stateOf(cId) === 'left')
    // Anti-entropy (every second in this profile) does not bring it back.
    await sleep(3000)
    assert.equal(b.view.stateOf(cId), 'left')
    assert.equal(a.view.stateOf(cId), 'left')
  })

  test('a node joining later learns the silences from A\'s snapshot provider, and holds C left after the force-leave is sent again', async () => {
    const cId = c.id
    a.setAlertingSnapshot(() => ({ silences: [silence('maint-web-3'), silence('maint-db-1')] }))
    const d = await agent('d', [a.selfView().addrs[0]!])
    nodes.push(d)
    const dGot: AlertingUpdate[] = []
    d.onAlerting((u) => dGot.push(u))
    await waitFor('D has both silences', () => new Set(dGot.flatMap((u) => u.silences.map((s) => s.id))).size === 2, 15_000)
    assert.ok(dGot.every((u) => u.from === a.id || u.from === b.id))
    await waitFor('D holds C left', () => d.view.stateOf(cId) === 'left', 40_000)
  })
})
