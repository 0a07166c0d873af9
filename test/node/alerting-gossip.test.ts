import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { Silence } from '../../src/alerts/silences.ts'
import type { AlertingUpdate } from '../../src/node/alerting-gossip.ts'
import type { ClusterNode } from '../../src/node/cluster-node.ts'
import { Attacker } from '../../src/sim/attacker.ts'
import { VirtualCluster } from '../../src/sim/virtual-cluster.ts'
import { startConvergedCluster } from './converged-cluster.ts'

/**
 * Cluster-wide alerting gossip between ClusterNodes on the in-memory network and virtual time:
 * marks and silences travel to every other member, attributed to their signed sender; the trust
 * rules, the per-silence validation and the rate limit hold against a member holding only its own
 * key; force-leave spreads only about a member every receiver holds dead.
 */
const CLUSTER = 'default'
const T0 = 1_700_000_000_000

const silence = (id: string, more: Partial<Silence> = {}): Silence => ({
  id, matchers: [{ name: 'alertname', op: '=', value: 'PeerDead' }], startsAtMs: T0, endsAtMs: T0 + 3_600_000,
  createdBy: 'ops', comment: 'maintenance', updatedAtMs: T0 + 1, ...more
})

const startCluster = (n: number, seed = 3) => startConvergedCluster(n, { seed, settleMs: 5000 })

/** Every update each node's listener receives. */
function record(nodes: ClusterNode[]): Map<string, AlertingUpdate[]> {
  const got = new Map<string, AlertingUpdate[]>()
  for (const n of nodes) {
    got.set(n.id, [])
    n.onAlerting((u) => got.get(n.id)!.push(u))
  }
  return got
}

async function attacker(cluster: VirtualCluster, announce: boolean): Promise<Attacker> {
  const t = cluster.network.createTransport('mallory')
  await t.start()
  let done = false
  void t.dial('/memory/n0').finally(() => { done = true })
  await cluster.runUntil(() => done, 10_000)
  const a = new Attacker(t, CLUSTER)
  a.listen()
  if (announce) await a.announce()
  await cluster.runFor(1000)
  return a
}

const nodes = (cluster: VirtualCluster, ids: readonly string[]): ClusterNode[] => ids.map((id) => cluster.get(id).node)
const sum = (ns: ClusterNode[], pick: (n: ClusterNode) => number): number => ns.reduce((s, n) => s + pick(n), 0)

describe('alerting gossip between ClusterNodes (in-memory network, virtual time)', { timeout: 120_000 }, () => {
  test('marks and silences published on one node reach every other node once, marks attributed to the sender; never echoed to the sender', async () => {
    const { cluster, ids } = await startCluster(4)
    const all = nodes(cluster, ids)
    const got = record(all)
    const [a] = all
    a!.publishAlerting({
      marks: [{ fingerprint: '00ff00ff00ff00ff', status: 'firing', by: a!.id, atMs: T0 }, { fingerprint: 'abc', status: 'resolved', by: 'n2', atMs: T0 }],
      silences: [silence('s1')]
    })
    await cluster.runFor(2000)
    assert.deepEqual(got.get(a!.id), [], 'not to the sender')
    for (const n of all.slice(1)) {
      assert.deepEqual(got.get(n.id), [{
        from: a!.id,
        marks: [{ fingerprint: '00ff00ff00ff00ff', status: 'firing', by: a!.id, atMs: T0 }],
        silences: [silence('s1')]
      }], `at ${n.id}`)
    }
    assert.equal(a!.alerting.dropped['not-own-mark'], 1, 'a mark in another node\'s name is not sent')
    // A caller's malformed input is dropped at the source, counted, and breaks nothing.
    const sent = a!.alerting.stats.messagesSent
    a!.publishAlerting({
      marks: [{ fingerprint: 'NOT-HEX', status: 'firing', by: a!.id, atMs: T0 }, { fingerprint: 'ab', status: 'firing', by: a!.id, atMs: Number.NaN }],
      silences: [silence('backwards', { endsAtMs: T0 - 1 }), { ...silence('broken'), matchers: undefined } as unknown as Silence]
    })
    await cluster.runFor(2000)
    assert.equal(a!.alerting.dropped['outgoing-invalid'], 4)
    assert.equal(a!.alerting.stats.messagesSent, sent, 'nothing to send')
    assert.ok(all.slice(1).every((n) => got.get(n.id)!.length === 1))
  })

  test('a large batch is split into bounded messages and all of it arrives; a silence larger than a message is not sent and counted', async () => {
    const { cluster, ids } = await startCluster(3)
    const all = nodes(cluster, ids)
    const got = record(all)
    const a = all[0]!
    const marks = Array.from({ length: 600 }, (_, i) => ({ fingerprint: i.toString(16).padStart(16, '0'), status: 'firing' as const, by: a.id, atMs: T0 + i }))
    // 70 silences of ~2.3 KiB: 32 of them (one message's count) are 74 KiB, more than a 64 KiB message.
    const matchers = Array.from({ length: 4 }, (_, i) => ({ name: `label${i}`, op: '=' as const, value: 'v'.repeat(256) }))
    const silences = Array.from({ length: 70 }, (_, i) => silence(`big-${i}`, { comment: 'c'.repeat(1000), createdBy: 'o'.repeat(200), matchers }))
    a.publishAlerting({ marks, silences })
    await cluster.runFor(10_000)
    for (const n of all.slice(1)) {
      const updates = got.get(n.id)!
      assert.deepEqual(updates.flatMap((u) => u.marks).map((m) => m.atMs).sort((x, y) => x - y), marks.map((m) => m.atMs), `every mark at ${n.id}`)
      assert.deepEqual(updates.flatMap((u) => u.silences).map((s) => s.id).sort(), silences.map((s) => s.id).sort(), `every silence at ${n.id}`)
      for (const u of updates) assert.ok(u.marks.length <= 256 && u.silences.length <= 32)
      assert.equal(n.validator.dropped['rate-limited'], 0, 'the sender paces itself under the receivers\' limit')
    }
    assert.ok(a.alerting.stats.messagesSent >= 4, `${a.alerting.stats.messagesSent} messages`)
    // 16 matchers of 256-character values: about 4.5 KiB, more than a 4 KiB message.
    const small = new VirtualCluster({ seed: 4, node: { messageBytesMax: 4096 } })
    const s0 = await small.add('s0')
    s0.publishAlerting({ silences: [silence('huge', { matchers: Array.from({ length: 16 }, (_, i) => ({ name: `l${i}`, op: '=' as const, value: 'v'.repeat(256) })) })] })
    await small.runFor(1000)
    assert.equal(s0.alerting.dropped['silence-too-large'], 1)
    assert.equal(s0.alerting.stats.messagesSent, 0)
  })

  test('from a live member, invalid silences are dropped and counted while the valid ones in the same message pass', async () => {
    const { cluster, ids } = await startCluster(3)
    const all = nodes(cluster, ids)
    const got = record(all)
    const mallory = await attacker(cluster, true)
    assert.ok(all.every((n) => n.view.stateOf(mallory.id) === 'alive'), 'mallory is a live member')
    await mallory.alerting({
      marks: [{ fingerprint: 'ab', status: 'firing', atMs: T0 }],
      silences: [
        silence('good'),
        silence('backwards', { endsAtMs: T0 - 1 }),
        silence('matches-everything', { matchers: [{ name: 'alertname', op: '=~', value: '.*' }] }),
        silence('redos', { matchers: [{ name: 'alertname', op: '=~', value: '(a+)+' }] }),
        silence('no-matchers', { matchers: [] })
      ]
    })
    await cluster.runFor(1000)
    for (const n of all) {
      assert.deepEqual(got.get(n.id)!.map((u) => [u.from, u.silences.map((s) => s.id), u.marks.map((m) => m.by)]), [[mallory.id, ['good'], [mallory.id]]], n.id)
      assert.equal(n.alerting.dropped['silence-invalid'], 4, n.id)
    }
  })

  test('from an unknown sender or a member that left nothing is delivered; each is counted', async () => {
    const { cluster, ids } = await startCluster(3)
    const all = nodes(cluster, ids)
    const got = record(all)
    const stranger = await attacker(cluster, false)
    await stranger.alerting({ silences: [silence('from-a-stranger')] })
    await stranger.forceLeave('n2', 1)
    await cluster.runFor(1000)
    assert.equal(sum(all, (n) => n.membership.dropped['unknown-sender']), 2 * ids.length)
    // Now a member that left (its own signed leave) and goes on talking: held gone like a dead one.
    await stranger.announce()
    await cluster.runFor(1000)
    assert.ok(all.every((n) => n.view.stateOf(stranger.id) === 'alive'), 'a member now')
    await stranger.leave()
    const took = await cluster.runUntil(() => all.every((n) => n.view.stateOf(stranger.id) === 'left'), 10_000)
    assert.ok(took !== undefined, 'left everywhere')
    await stranger.alerting({ silences: [silence('from-the-departed')] })
    await cluster.runFor(1000)
    assert.equal(sum(all, (n) => n.membership.dropped['sender-not-live']), ids.length)
    assert.deepEqual([...got.values()].flat(), [], 'nothing delivered')
  })

  test('one member flooding alerting messages: each receiver takes its burst, drops and counts the rest, and honest members are unaffected', async () => {
    const { cluster, ids } = await startCluster(3)
    const all = nodes(cluster, ids)
    const got = record(all)
    const mallory = await attacker(cluster, true)
    await mallory.alerting({ marks: [{ fingerprint: 'ab', status: 'firing', atMs: T0 }] }, 200)
    all[1]!.publishAlerting({ silences: [silence('honest')] })
    await cluster.runFor(2000)
    for (const n of all) {
      const fromMallory = got.get(n.id)!.filter((u) => u.from === mallory.id).length
      assert.ok(fromMallory <= 22, `${n.id} took ${fromMallory} of 200`)
      assert.ok(n.validator.dropped['rate-limited'] >= 178, `${n.id} counted ${n.validator.dropped['rate-limited']}`)
    }
    for (const n of [all[0]!, all[2]!]) assert.ok(got.get(n.id)!.some((u) => u.from === all[1]!.id && u.silences[0]?.id === 'honest'), n.id)
  })

  test('a throwing listener is caught and counted; the other listeners still get the update, each its own copy', async () => {
    const { cluster, ids } = await startCluster(2)
    const [a, b] = nodes(cluster, ids)
    const seen: string[] = []
    b!.onAlerting((u) => {
      u.silences.length = 0 // a listener that mutates what it is given
      throw new Error('listener bug')
    })
    const off = b!.onAlerting((u) => seen.push(`${u.from}:${u.silences.map((s) => s.id).join(',')}`))
    a!.publishAlerting({ silences: [silence('x')] })
    await cluster.runFor(1000)
    assert.deepEqual(seen, [`${a!.id}:x`])
    assert.equal(b!.alerting.stats.listenerErrors, 1)
    off()
    a!.publishAlerting({ silences: [silence('y')] })
    await cluster.runFor(1000)
    assert.equal(seen.length, 1, 'unsubscribed')
    assert.equal(b!.alerting.stats.listenerErrors, 2, 'the throwing one still runs and is counted again')
  })

  test('anti-entropy: a node that joins later learns the silences from a snapshot provider soon, and they are resent periodically', async () => {
    const { cluster, ids } = await startCluster(3)
    const all = nodes(cluster, ids)
    let provided = 0
    all[0]!.setAlertingSnapshot(() => { provided++; return { silences: [silence('kept-1'), silence('kept-2')] } })
    const late = await cluster.add('late', ['n1'])
    const lateGot: AlertingUpdate[] = []
    late.onAlerting((u) => lateGot.push(u))
    const took = await cluster.runUntil(() => lateGot.flatMap((u) => u.silences).length >= 2, 20_000)
    assert.ok(took !== undefined && took <= 10_000, `learned within ${took} ms of joining`)
    assert.deepEqual(lateGot.flatMap((u) => u.silences.map((s) => s.id)).sort(), ['kept-1', 'kept-2'])
    const before = lateGot.length
    await cluster.runFor(3 * 60_000)
    assert.ok(lateGot.length - before >= 2 && lateGot.length - before <= 5, `${lateGot.length - before} periodic rounds in 3 min (every 45-75 s)`)
    assert.ok(provided >= 3)
    // A throwing provider is counted, and the rounds go on.
    all[0]!.setAlertingSnapshot(() => { throw new Error('provider bug') })
    await cluster.runFor(2 * 60_000)
    assert.ok(all[0]!.alerting.stats.snapshotErrors >= 1)
  })

  test('force-leave { cluster: true } of a crashed member: left at every node, not resurrected by anti-entropy, back when it restarts', async () => {
    const { cluster, ids } = await startCluster(4)
    const all = nodes(cluster, ids)
    const [a, b] = all
    assert.deepEqual(a!.forceLeave('nobody', { cluster: true }), { ok: false, reason: 'not-found' })
    assert.deepEqual(a!.forceLeave('n3', { cluster: true }), { ok: false, reason: 'alive' }, 'a live member is refused at the source')
    assert.equal(b!.view.stateOf('n3'), 'alive')
    await cluster.crash('n3')
    const rest = all.slice(0, 3)
    const dead = await cluster.runUntil(() => rest.every((n) => n.view.stateOf('n3') === 'dead'), 20_000)
    assert.ok(dead !== undefined, 'dead everywhere')
    assert.deepEqual(a!.forceLeave('n3', { cluster: true }), { ok: true, id: 'n3', alreadyLeft: false })
    const left = await cluster.runUntil(() => rest.every((n) => n.view.stateOf('n3') === 'left'), 5000)
    assert.ok(left !== undefined, 'left at every node')
    await cluster.runFor(30_000)
    assert.ok(rest.every((n) => n.view.stateOf('n3') === 'left'), 'anti-entropy digests did not bring it back')
    assert.deepEqual(a!.forceLeave('n3', { cluster: true }), { ok: true, id: 'n3', alreadyLeft: true })
    // A node joining afterwards learns n3 from digests (dead, not left: only a force-leave may
    // say left), then takes the force-leave its peers send again after a join.
    const late = await cluster.add('late', ['n1'])
    const lateLeft = await cluster.runUntil(() => late.view.stateOf('n3') === 'left', 30_000)
    assert.ok(lateLeft !== undefined, `the late joiner holds n3 ${late.view.stateOf('n3')}`)
    assert.ok(all.slice(0, 3).some((n) => n.forceLeaves.resent > 0))
    await cluster.restart('n3', ['n0'])
    const back = await cluster.runUntil(() => [...rest, late].every((n) => n.view.stateOf('n3') === 'alive'), 30_000)
    assert.ok(back !== undefined, 'its own heartbeat at a higher incarnation brings it back')
  })

  test('a member\'s force-leave of a live node is refused at every receiver and refuted by the subject', async () => {
    const { cluster, ids } = await startCluster(3)
    const all = nodes(cluster, ids)
    const mallory = await attacker(cluster, true)
    const victim = all[2]!
    const incarnation = victim.incarnation
    await mallory.forceLeave(victim.id, incarnation)
    await cluster.runFor(3000)
    assert.ok(all.every((n) => n.view.stateOf(victim.id) !== 'left' || n === victim))
    assert.ok(all.filter((n) => n !== victim).every((n) => n.view.stateOf(victim.id) === 'alive'), 'still alive everywhere')
    assert.equal(sum(all.filter((n) => n !== victim), (n) => n.membership.dropped['force-leave-live']), 2)
    assert.equal(victim.membership.dropped['force-leave-live'], 1)
    assert.equal(victim.incarnation, incarnation + 1, 'the subject refuted with claim + 1')
  })
})
