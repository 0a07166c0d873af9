/**
 * attack: runs issue 11's attacks against real agents on 127.0.0.1 and reports what they did.
 *
 *   node scripts/attack.ts [--nodes 4] [--settle-ms 3000]
 *
 * Starts N agents (src/sim/process-cluster.ts, profile local-test), then one attacker: a libp2p
 * node on 127.0.0.1 with only its own fresh Ed25519 key, connected to every agent, never
 * announced (so it observes no one). Each attack is sent, the cluster gets --settle-ms, and one
 * JSON line is printed per attack: what was sent, what the agents rejected (the deltas of
 * healthmon_membership_rejected_total and healthmon_gossip_messages_rejected_total summed over
 * every agent's /metrics, and of failed anti-entropy exchanges), and whether every view stayed
 * clean (exactly the real members, each alive, with its own incarnation and addresses). Then an
 * agent is SIGKILLed alone (baseline) and, once restarted, again while phantom and "alive"
 * verdicts flow: both times until every other agent shows it dead. Last, the attacker announces
 * itself (in a small cluster it then observes everyone) and storms a victim with dead verdicts:
 * the refutation limit must bound its incarnation, and sends a digest of Sybils (fresh keys, each
 * with a genuine signed record): digestNewMembersMax must bound what one exchange introduces.
 * Then it floods heartbeats and verdicts (cut by the receive budgets) and, last, publishes
 * malformed messages: every agent's gossipsub must graylist it. Every loop is bounded; every
 * agent is ended by its pid on exit.
 */
import { request } from 'node:http'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { ClusterView } from '../src/api/protocol.ts'
import { sleep, systemClock } from '../src/runtime/clock.ts'
import { silentLogger } from '../src/runtime/logger.ts'
import { Attacker } from '../src/sim/attacker.ts'
import { ProcessCluster, type AgentProcess } from '../src/sim/process-cluster.ts'
import { createLibp2pTransport } from '../src/transport/libp2p-transport.ts'
import { recordSigningBytes, type MemberDigestEntry } from '../src/transport/codec.ts'

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '4' }, 'settle-ms': { type: 'string', default: '3000' } } })
const size = Number(values.nodes)
const settleMs = Number(values['settle-ms'])
const clock = systemClock()
const CLUSTER = 'default'

function metricsText(agent: AgentProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: agent.socket, path: '/metrics', timeout: 5000 }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    })
    req.on('timeout', () => req.destroy(new Error('metrics timed out')))
    req.on('error', reject)
    req.end()
  })
}

const FAMILY_KEYS: Record<string, string> = {
  membership_rejected_total: 'membership',
  gossip_messages_rejected_total: 'gossip',
  anti_entropy_exchanges_total: 'anti-entropy',
  gossip_rate_limited_total: 'rate-limited',
  gossipsub_peers_penalised: 'penalised'
}

/** Rejection counters summed over agents, keyed "family:reason" (penalised: a gauge, peers below a gossipsub score threshold now). */
async function rejections(agents: AgentProcess[]): Promise<Map<string, number>> {
  const sums = new Map<string, number>()
  for (const text of await Promise.all(agents.map(metricsText))) {
    for (const line of text.split('\n')) {
      const m = /^healthmon_(membership_rejected_total|gossip_messages_rejected_total|anti_entropy_exchanges_total|gossip_rate_limited_total|gossipsub_peers_penalised)\{(?:reason|result|class|below)="([^"]+)"\} (\S+)$/.exec(line)
      if (m === null) continue
      const key = `${FAMILY_KEYS[m[1]!]}:${m[2]}`
      sums.set(key, (sums.get(key) ?? 0) + Number(m[3]))
    }
  }
  return sums
}

function delta(before: Map<string, number>, after: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0)
    if (d > 0 && k !== 'anti-entropy:ok') out[k] = d
  }
  return out
}

const cluster = new ProcessCluster({ size, clock })
let transport: Awaited<ReturnType<typeof createLibp2pTransport>> | undefined
// Stopped from outside (a test's overrun, Ctrl-C): still end every agent by its pid.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => { void cluster.close().finally(() => process.exit(1)) })
try {
  await cluster.start()
  const agents = cluster.agents
  const views = await Promise.all(agents.map((a) => cluster.view(a)))
  const real = new Map(views.map((v) => [v.self.id, v.self]))
  const converged = await cluster.waitUntil(agents, (v) => v.peers.filter((p) => p.state === 'alive').length === size - 1, 60_000)
  if (converged === undefined) throw new Error('the cluster did not converge')
  const snapshot = async (): Promise<ClusterView[]> => Promise.all(agents.filter((a) => a.child !== undefined).map((a) => cluster.view(a)))
  const initial = new Map((await snapshot()).flatMap((v) => v.peers.map((p) => [p.id, p] as const)))

  /** Every view: exactly the real members, alive, with their own incarnation and addresses. */
  const clean = async (): Promise<boolean> => (await snapshot()).every((v) => v.peers.length === size - 1 && v.peers.every((p) => {
    const first = initial.get(p.id)
    return real.has(p.id) && p.state === 'alive' && p.incarnation === first?.incarnation && p.addrs.join() === first.addrs.join()
  }) && v.self.incarnation === real.get(v.self.id)?.incarnation)

  // Each attack comes from a fresh identity: the invalid messages of one attack (a forged
  // topic, a poison incarnation) get the sender graylisted by every agent's gossipsub
  // (transport/gossip-score.ts), which would then ignore the next attack whole, unmeasured.
  let mallory!: Attacker
  const rekey = async (): Promise<void> => {
    await transport?.stop()
    transport = await createLibp2pTransport({
      privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'], allowPeers: [], messageBytesMax: 65_536,
      inboundConnectionsPerHostPerSecondMax: 10_000, gossipIpColocationPenalty: false, clock, logger: silentLogger()
    })
    await transport.start()
    mallory = new Attacker(transport, CLUSTER)
    mallory.listen()
    for (const a of agents.filter((x) => x.child !== undefined)) await transport.dial(a.addr!)
    await sleep(clock, 2000) // gossipsub meshes the attacker into the events topic
  }

  const victim = views[1]!.self
  const target = { id: victim.id, name: victim.name, incarnation: victim.incarnation }
  const ids = [...real.keys()]
  const toAll = async (rows: Parameters<Attacker['digest']>[1]): Promise<void> => {
    for (const id of ids) await mallory.digest(id, rows)
  }
  const attacks: [string, string, () => Promise<void>][] = [
    ['phantom-verdicts', '500 signed alive verdicts about ids that do not exist', () => mallory.verdicts(Attacker.phantomIds(500), 'alive')],
    ['phantom-digest', `a 500-row digest of phantoms to each of ${size} agents`, () => toAll(Attacker.phantomRows(Attacker.phantomIds(500, 'digest')))],
    ['forged-proofs', '500 phantom rows with signatures that are not theirs, to each agent', () => toAll(Attacker.phantomRows(Attacker.phantomIds(500, 'forged'), { forgedProof: true }))],
    ['fill-member-table', 'a 10,000-row digest to each agent', () => toAll(Attacker.phantomRows(Attacker.phantomIds(10_000, 'fill')))],
    ['dial-redirect', `a row giving ${victim.name} the address /ip4/127.0.0.1/tcp/9, one incarnation ahead`, () => toAll([Attacker.redirectRow(target, ['/ip4/127.0.0.1/tcp/9'])])],
    ['poison-incarnation', `dead verdicts and digest rows about ${victim.name} at 2^40, 2^40-1, 2^53-1, 2^53-2`, async () => {
      for (const inc of Attacker.POISON_INCARNATIONS) {
        await mallory.verdicts([victim.id], 'dead', inc)
        await toAll([{ ...Attacker.forgedLeaveRow(target), state: 'dead', incarnation: inc }])
      }
    }],
    ['non-observer-verdicts', `suspect and dead verdicts about ${victim.name} from a non-observer`, () => mallory.verdicts([victim.id, victim.id], 'suspect', victim.incarnation).then(() => mallory.verdicts([victim.id], 'dead', victim.incarnation))],
    ['forged-leave', `a digest row saying ${victim.name} left`, () => toAll([Attacker.forgedLeaveRow(target)])],
    ['refutation-storm', `100 dead verdicts about ${victim.name} at its incarnation`, async () => {
      for (let i = 0; i < 100; i++) await mallory.verdicts([victim.id], 'dead', victim.incarnation)
    }],
    ['foreign-heartbeat-topic', `10 heartbeats on ${victim.name}'s topic in the attacker's name`, async () => {
      for (let i = 0; i < 10; i++) await mallory.heartbeat(victim.id)
    }],
    ['replayed-heartbeat', `${victim.name}'s overheard heartbeat, republished 10 times`, async () => {
      mallory.overhear(victim.id)
      await sleep(clock, 3000)
      const bytes = mallory.overheard.get(victim.id)
      for (let i = 0; i < 10 && bytes !== undefined; i++) await transport?.publish(`/healthmon/1/${CLUSTER}/hb/${victim.id}`, bytes)
    }]
  ]
  for (const [attack, sent, run] of attacks) {
    await rekey()
    const before = await rejections(agents)
    await run()
    await sleep(clock, settleMs)
    const rejected = delta(before, await rejections(agents))
    console.log(JSON.stringify({ attack, sent, rejected, viewsClean: await clean() }))
  }

  // A real crash, first on its own (the baseline), then during an attack: phantom verdicts and
  // "alive" verdicts about the dying agent every 100 ms.
  const dying = agents[size - 1]!
  const dyingId = views[size - 1]!.self.id
  const others = agents.filter((a) => a !== dying)
  const crashAndWait = async (attack: boolean, round0: number): Promise<number | undefined> => {
    await cluster.kill(dying)
    const killedAt = clock.now()
    for (let round = round0; round < round0 + 300; round++) {
      if (attack) {
        await mallory.verdicts(Attacker.phantomIds(20, `crash${round}`), 'alive')
        await mallory.verdicts([dyingId], 'alive', views[size - 1]!.self.incarnation)
      }
      const vs = await Promise.all(others.map((a) => cluster.view(a)))
      if (vs.every((v) => v.peers.find((p) => p.id === dyingId)?.state === 'dead')) return clock.now() - killedAt
      await sleep(clock, 100)
    }
    return undefined
  }
  await rekey()
  const baselineMs = await crashAndWait(false, 0)
  console.log(JSON.stringify({ attack: 'crash-baseline', sent: `nothing: SIGKILL ${dying.name}`, deadEverywhereAfterMs: baselineMs ?? null }))
  await cluster.restart(dying)
  await cluster.waitUntil(others, (v) => v.peers.find((p) => p.id === dyingId)?.state === 'alive', 30_000)
  await sleep(clock, 5000) // the detectors learn the restarted agent's heartbeats again
  const attackedMs = await crashAndWait(true, 1000)
  const phantoms = (await Promise.all(others.map((a) => cluster.view(a)))).reduce((n, v) => n + v.peers.filter((p) => !real.has(p.id)).length, 0)
  console.log(JSON.stringify({ attack: 'crash-during-attack', sent: `SIGKILL ${dying.name} while sending phantom and alive verdicts every 100 ms`, deadEverywhereAfterMs: attackedMs ?? null, baselineMs: baselineMs ?? null, phantomsInViews: phantoms }))

  // Last (it makes the attacker a member): announced, the attacker observes everyone in a small
  // cluster, so its dead verdicts pass the rules; the refutation limit must still bound the storm.
  await rekey()
  await mallory.announce()
  await sleep(clock, 2000)
  const stormBefore = await rejections(others)
  const incBefore = (await cluster.view(agents[1]!)).self.incarnation
  const stormStart = clock.now()
  for (let i = 0; i < 100; i++) {
    const current = (await cluster.view(agents[1]!)).self.incarnation
    await mallory.verdicts([victim.id], 'dead', current)
    await sleep(clock, 20)
  }
  const stormMs = clock.now() - stormStart
  await sleep(clock, settleMs)
  const raised = (await cluster.view(agents[1]!)).self.incarnation - incBefore
  const victimAlive = (await Promise.all(others.filter((a) => a !== agents[1]).map((a) => cluster.view(a)))).every((v) => v.peers.find((p) => p.id === victim.id)?.state === 'alive')
  console.log(JSON.stringify({
    attack: 'refutation-storm-as-observer', sent: `100 dead verdicts about ${victim.name} at its current incarnation over ${Math.round(stormMs)} ms, from an announced member`,
    stormMs: Math.round(stormMs), rejected: delta(stormBefore, await rejections(others)), victimIncarnationRaisedBy: raised, victimAliveEverywhere: victimAlive
  }))

  // Floods from the announced member: its receive budgets cut them at the first hop.
  const floodBefore = await rejections(others)
  for (let i = 0; i < 1000; i++) await mallory.heartbeat()
  const victimInc = (await cluster.view(agents[1]!)).self.incarnation
  await mallory.verdicts(Array.from({ length: 1000 }, () => victim.id), 'alive', victimInc)
  await sleep(clock, settleMs)
  console.log(JSON.stringify({
    attack: 'floods', sent: '1,000 heartbeats on its own topic and 1,000 alive verdicts, at once, from an announced member',
    rejected: delta(floodBefore, await rejections(others)),
    victimAliveEverywhere: (await Promise.all(others.filter((a) => a !== agents[1]).map((a) => cluster.view(a)))).every((v) => v.peers.find((p) => p.id === victim.id)?.state === 'alive')
  }))

  // Sybils: members with real keys and genuine records cannot be told from new members, so they
  // are not rejected; one exchange may introduce at most digestNewMembersMax (256) of them.
  const sybils: MemberDigestEntry[] = []
  for (let i = 0; i < 400; i++) {
    const key = await generateKeyPair('Ed25519')
    const facts = { id: peerIdFromPrivateKey(key).toString(), name: `sybil-${i}`, addrs: [], incarnation: 1, left: false }
    const signature = key.sign(recordSigningBytes(CLUSTER, facts)) as Uint8Array
    sybils.push({ id: facts.id, name: facts.name, incarnation: 1, state: 'alive', addrs: [], proof: { incarnation: 1, left: false, signature } })
  }
  const target0 = others[0]!
  const sizeBefore = (await cluster.view(target0)).peers.length
  const sybilBefore = await rejections([target0])
  await mallory.digest(views[0]!.self.id, sybils)
  await sleep(clock, 500)
  const introduced = (await cluster.view(target0)).peers.length - sizeBefore
  console.log(JSON.stringify({
    attack: 'sybil-digest', sent: `one digest of ${sybils.length} members with fresh keys and genuine signed records to ${target0.name}`,
    rejected: delta(sybilBefore, await rejections([target0])), introducedByOneExchange: introduced
  }))

  // Last (it costs the attacker every agent's ear): invalid messages of its own. Each agent's
  // gossipsub scores it down to the graylist, after which it ignores every RPC from it.
  const invalidBefore = await rejections(others)
  const events = `/healthmon/1/${CLUSTER}/events`
  for (let i = 0; i < 10; i++) await transport?.publish(events, new Uint8Array([0xc1, i]))
  let graylistedAt = 0
  for (let i = 0; i < 50 && graylistedAt < others.length; i++) {
    await sleep(clock, 200)
    graylistedAt = (await rejections(others)).get('penalised:graylist') ?? 0
  }
  console.log(JSON.stringify({
    attack: 'invalid-messages', sent: '10 malformed messages on the events topic, signed by the attacker',
    rejected: delta(invalidBefore, await rejections(others)), graylistedAt, agents: others.length
  }))
} finally {
  await transport?.stop()
  await cluster.close()
}
