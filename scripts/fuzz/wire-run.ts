/**
 * Runs wire fuzz cases (wire-cases.ts) through three targets and accounts for every one:
 * - codec: decodeMessage on its own (ok, or a DecodeFailure reason);
 * - validator: a MessageValidator on its own (accepted, or a DropReason);
 * - node: the receive path of a real ClusterNode in a 3-node VirtualCluster (in-memory network,
 *   virtual time): MemoryTransport.receiveGossip, i.e. the transport's size check, the node's
 *   validator, and its message handler (membership, trust rules, view, actors).
 * Every tenth case also goes to the node's anti-entropy handler (the sync request protocol) from
 * a connected in-memory peer, `fuzzer`, which the cases also use as a sender.
 * A case that throws anywhere is counted as a throw (the property is that there are none); for
 * the node, each case must move exactly one counter (transport oversize, validator accepted or
 * one drop reason), so no reject goes uncounted. Virtual time advances between batches so the
 * node's timers and actors keep running on what it accepted.
 */
import fc from 'fast-check'
import { VirtualCluster } from '../../src/sim/virtual-cluster.ts'
import { decodeMessage } from '../../src/transport/codec.ts'
import { SYNC_PROTOCOL } from '../../src/transport/topics.ts'
import { DROP_REASONS, MessageValidator, type DropReason } from '../../src/transport/message-validator.ts'
import { wireCaseArb, type CaseFamily, type Mutation } from './wire-cases.ts'

export interface WireFuzzOptions {
  cases: number
  seed: number
  /** Cases per fast-check sample (and between virtual-time steps). */
  batch?: number
  /** Called after each batch with the cases run so far (for heap sampling, progress). */
  onBatch?: (done: number) => void
}

/** The first case that threw, to reproduce it: where, the error, and the input (cut to 256 bytes). */
export interface FuzzThrow {
  target: 'codec' | 'validator' | 'node'
  error: string
  family: CaseFamily
  mutation: Mutation | undefined
  bytes: number
  hex: string
}

export interface WireFuzzResult {
  cases: number
  firstThrow?: FuzzThrow
  byFamily: Record<CaseFamily, number>
  byMutation: Record<Mutation, number>
  codec: { ok: number; rejected: Record<string, number>; throws: number }
  validator: { accepted: number; rejected: Record<DropReason, number>; throws: number }
  node: {
    accepted: number
    rejected: Record<DropReason, number>
    oversizeAtTransport: number
    /** On a topic the node does not subscribe to (its own heartbeat topic, strangers'): dropped by the transport. */
    unsubscribedTopic: number
    /** Cases that moved no counter, or more than one: must be 0. */
    unaccounted: number
    throws: number
    handlerErrors: number
    validatorErrors: number
    actorRestarts: number
    members: number
    membersMax: number
    trustRejected: Record<string, number>
  }
  /** Cases also sent as anti-entropy requests: answered, or failed (a handler that threw; must be 0). */
  sync: { sent: number; answered: number; handlerErrors: number; timedOut: number }
}

const CLUSTER = 'default'
const MEMBERS = ['n0', 'n1', 'n2']
/** An in-memory peer (not a node) that sends the sync requests. */
const FUZZER = 'fuzzer'

const sum = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((a, b) => a + b, 0)
const zeros = <K extends string>(keys: readonly K[]): Record<K, number> => Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>

export async function runWireFuzz(options: WireFuzzOptions): Promise<WireFuzzResult> {
  const batch = options.batch ?? 500
  const cluster = new VirtualCluster({ seed: options.seed, node: { antiEntropyIntervalMs: 1000 } })
  await cluster.add(MEMBERS[0]!)
  for (const id of MEMBERS.slice(1)) await cluster.add(id, [MEMBERS[0]!])
  await cluster.runFor(10_000)
  const prober = cluster.network.createTransport(FUZZER)
  await prober.start()
  const dialled = prober.dial('/memory/n0')
  await cluster.runFor(1000)
  await dialled
  const target = cluster.get('n0')
  const node = target.node
  const links = cluster.network.stats()
  const messageBytesMax = 65_536
  const validator = new MessageValidator({ cluster: CLUSTER, messageBytesMax, sendersMax: 1000 })
  const arb = wireCaseArb({ cluster: CLUSTER, members: [...MEMBERS, FUZZER] })

  const result: WireFuzzResult = {
    cases: 0,
    byFamily: { generated: 0, mutated: 0, random: 0 },
    byMutation: zeros(['bitflip', 'truncate', 'append', 'swap', 'wrong-type', 'huge-array', 'deep-nesting'] as const),
    codec: { ok: 0, rejected: {}, throws: 0 },
    validator: { accepted: 0, rejected: zeros(DROP_REASONS), throws: 0 },
    node: {
      accepted: 0, rejected: zeros(DROP_REASONS), oversizeAtTransport: 0, unsubscribedTopic: 0, unaccounted: 0, throws: 0,
      handlerErrors: 0, validatorErrors: 0, actorRestarts: 0, members: 0, membersMax: 0, trustRejected: {}
    },
    sync: { sent: 0, answered: 0, handlerErrors: 0, timedOut: 0 }
  }
  const pendingSync: Promise<void>[] = []
  const before = { accepted: node.validator.accepted, dropped: { ...node.validator.dropped }, oversize: links.dropped.oversize, unsubscribed: links.dropped.unsubscribed, handlerErrors: links.handlerErrors, validatorErrors: links.dropped.validatorError, restarts: node.supervisor.stats.restarts }
  // Every way the receive path disposes of a message, each counted: the transport's topic and size
  // checks, then the validator's verdict.
  const counted = (): number => {
    const net = cluster.network.stats().dropped
    return node.validator.accepted + sum(node.validator.dropped) + net.oversize + net.unsubscribed
  }

  for (let done = 0, round = 0; done < options.cases; round++) {
    const n = Math.min(batch, options.cases - done)
    const cases = fc.sample(arb, { numRuns: n, seed: options.seed * 1_000_003 + round })
    for (const [k, c] of cases.entries()) {
      if (k % 10 === 0) {
        result.sync.sent++
        pendingSync.push(prober.request('n0', SYNC_PROTOCOL, c.data, 5000).then(
          () => { result.sync.answered++ },
          (error: unknown) => {
            if (/handler .* failed/.test(String(error))) result.sync.handlerErrors++
            else result.sync.timedOut++
          }))
      }
      const threw = (target: FuzzThrow['target'], error: unknown): void => {
        result.firstThrow ??= { target, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), family: c.family, mutation: c.mutation, bytes: c.data.byteLength, hex: Buffer.from(c.data.subarray(0, 256)).toString('hex') }
      }
      result.byFamily[c.family]++
      if (c.mutation !== undefined) result.byMutation[c.mutation]++
      try {
        const decoded = decodeMessage(c.data, messageBytesMax)
        if (decoded.ok) result.codec.ok++
        else result.codec.rejected[decoded.reason] = (result.codec.rejected[decoded.reason] ?? 0) + 1
      } catch (error) {
        result.codec.throws++
        threw('codec', error)
      }
      try {
        const accepted = validator.accepted
        const verdict = validator.validate({ topic: c.topic, from: c.from, data: c.data })
        if (verdict === 'accept' && validator.accepted === accepted + 1) result.validator.accepted++
      } catch (error) {
        result.validator.throws++
        threw('validator', error)
      }
      const countedBefore = counted()
      try {
        target.transport.receiveGossip(c.from, c.topic, c.data)
      } catch (error) {
        result.node.throws++
        threw('node', error)
      }
      if (counted() !== countedBefore + 1) result.node.unaccounted++
    }
    done += n
    result.cases = done
    // Let the node act on what it accepted: timers, actor mailboxes, its own gossip, the answers
    // to this batch's sync requests (they travel on the virtual clock).
    await cluster.runFor(100)
    let settled = false
    const all = Promise.all(pendingSync.splice(0)).then(() => { settled = true })
    // Bounded: a request times out after 5 s of virtual time at the latest.
    for (let i = 0; i < 60 && !settled; i++) await cluster.runFor(100)
    await all
    options.onBatch?.(done)
  }
  for (const reason of DROP_REASONS) {
    result.validator.rejected[reason] = validator.dropped[reason]
    result.node.rejected[reason] = node.validator.dropped[reason] - before.dropped[reason]
  }
  const after = cluster.network.stats()
  result.node.accepted = node.validator.accepted - before.accepted
  result.node.oversizeAtTransport = after.dropped.oversize - before.oversize
  result.node.unsubscribedTopic = after.dropped.unsubscribed - before.unsubscribed
  result.node.handlerErrors = after.handlerErrors - before.handlerErrors
  result.node.validatorErrors = after.dropped.validatorError - before.validatorErrors
  result.node.actorRestarts = node.supervisor.stats.restarts - before.restarts
  result.node.members = node.members.size
  result.node.membersMax = 10_000
  result.node.trustRejected = Object.fromEntries(Object.entries(node.membership.dropped).filter(([, v]) => v > 0))
  for (const id of MEMBERS) await cluster.get(id).node.stop({ leave: false })
  await prober.stop()
  return result
}
