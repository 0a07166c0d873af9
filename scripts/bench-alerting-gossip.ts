/**
 * bench-alerting-gossip: the cost and reach of cluster-wide alerting gossip (wire tag 9).
 *
 *   node scripts/bench-alerting-gossip.ts [--rounds 2000] [--nodes 10] [--marks 10000]
 *
 * 1. Codec: a full alerting message (256 marks of 16 hex digits, 32 silences of 2 matchers and
 *    a short comment) encoded and decoded --rounds times, and the receiver's per-silence
 *    validateSilence: bytes per message, messages/s, marks/s and silences/s on one core.
 * 2. Reach: --nodes ClusterNodes on the in-memory network and virtual time; one publishes --marks
 *    marks at once; virtual ms until every other node has received all of them (the sender paces
 *    itself under the receivers' per-sender rate limit), messages sent, and drops.
 * Prints one JSON line.
 */
import { parseArgs } from 'node:util'
import { validateSilence, type Silence } from '../src/alerts/silences.ts'
import { systemClock } from '../src/runtime/clock.ts'
import { VirtualCluster } from '../src/sim/virtual-cluster.ts'
import { decodeMessage, encodeMessage, type AlertingMessage } from '../src/transport/codec.ts'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '2000' }, nodes: { type: 'string', default: '10' }, marks: { type: 'string', default: '10000' } } })
const rounds = Number(values.rounds)
const nodeCount = Number(values.nodes)
const markCount = Number(values.marks)
const clock = systemClock()
const T0 = 1_767_225_600_000

const silence = (i: number): Silence => ({
  id: `silence-${i}`, matchers: [{ name: 'alertname', op: '=', value: 'PeerDead' }, { name: 'peer', op: '=~', value: `web-${i}|db-${i}` }],
  startsAtMs: T0, endsAtMs: T0 + 7_200_000, createdBy: 'ops@example.com', comment: 'planned maintenance window', updatedAtMs: T0 + i
})

function codec(): Record<string, number> {
  const message: AlertingMessage = {
    type: 'alerting', cluster: 'default', sender: '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo', incarnation: 3, seq: 1,
    marks: Array.from({ length: 256 }, (_, i) => ({ fingerprint: i.toString(16).padStart(16, '0'), status: 'firing' as const, atMs: T0 + i })),
    silences: Array.from({ length: 32 }, (_, i) => silence(i))
  }
  const bytes = encodeMessage(message)
  let start = clock.now()
  for (let i = 0; i < rounds; i++) encodeMessage(message)
  const encodeMs = clock.now() - start
  start = clock.now()
  let silences = 0
  for (let i = 0; i < rounds; i++) {
    const r = decodeMessage(bytes, 65_536)
    if (!r.ok || r.message.type !== 'alerting') throw new Error('bench message did not decode')
    for (const s of r.message.silences) { validateSilence(s); silences++ }
  }
  const decodeMs = clock.now() - start
  return {
    messageBytes: bytes.byteLength,
    encodePerSecond: Math.round(rounds / (encodeMs / 1000)),
    decodeAndValidatePerSecond: Math.round(rounds / (decodeMs / 1000)),
    marksDecodedPerSecond: Math.round((rounds * 256) / (decodeMs / 1000)),
    silencesValidatedPerSecond: Math.round(silences / (decodeMs / 1000))
  }
}

async function reach(): Promise<Record<string, number | null>> {
  const cluster = new VirtualCluster({ seed: 1, node: { antiEntropyIntervalMs: 1000 } })
  const ids = Array.from({ length: nodeCount }, (_, i) => `n${i}`)
  await cluster.add(ids[0]!)
  for (const id of ids.slice(1)) await cluster.add(id, [ids[0]!])
  const converged = await cluster.runUntil(() => ids.every((id) => cluster.get(id).node.clusterView().peers.filter((p) => p.state === 'alive').length === nodeCount - 1), 120_000)
  if (converged === undefined) throw new Error('the cluster did not converge')
  const received = new Map<string, Set<string>>()
  for (const id of ids.slice(1)) {
    received.set(id, new Set())
    cluster.get(id).node.onAlerting((u) => { for (const m of u.marks) received.get(id)!.add(m.fingerprint) })
  }
  const sender = cluster.get(ids[0]!).node
  const wallStart = clock.now()
  sender.publishAlerting({ marks: Array.from({ length: markCount }, (_, i) => ({ fingerprint: i.toString(16).padStart(16, '0'), status: 'firing' as const, by: sender.id, atMs: T0 + i })) })
  const took = await cluster.runUntil(() => [...received.values()].every((s) => s.size === markCount), 600_000)
  const wallMs = clock.now() - wallStart
  const nodes = ids.map((id) => cluster.get(id).node)
  return {
    virtualMsToReachAll: took ?? null,
    wallMs: Math.round(wallMs),
    messagesSent: sender.alerting.stats.messagesSent,
    rateLimitedAtReceivers: nodes.reduce((s, n) => s + n.validator.dropped['rate-limited'], 0),
    queueFullDrops: sender.alerting.dropped['send-queue-full']
  }
}

const result = { bench: 'alerting-gossip', rounds, nodes: nodeCount, marks: markCount, codec: codec(), reach: await reach() }
console.log(JSON.stringify(result))
