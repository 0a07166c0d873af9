import { fmix32 } from '../membership/hash.ts'
import type { Random } from '../runtime/random.ts'
import type { Clock } from '../runtime/clock.ts'
import type { LinkDecision, LinkModel, LinkObserver, TrafficKind } from '../transport/memory-transport.ts'

/**
 * The simulated network's behaviour, plugged into MemoryNetwork as its LinkModel and
 * LinkObserver: per-link latency, jitter, loss, duplication and reordering, and the link faults
 * the nemesis applies (partitions, one-way cuts, clogged links, lossy nodes, black-holed hosts).
 * It also counts every copy sent and received per node, by kind, for the summary's traffic.
 *
 * Everything random comes from one seeded stream, consumed in the (deterministic) order the
 * network sees messages; per-link base latencies come from a hash of (seed, from, to) so that no
 * per-link state is stored for the n^2 links.
 *
 * Delays are whole milliseconds (at least 1): heartbeats are a second apart, and whole
 * milliseconds let the simulation loop batch every event of one millisecond together.
 */
export interface NetworkProfile {
  /** Base one-way latency of a directed link, drawn once per link uniformly in [min, max] ms. */
  linkLatencyMsMin: number
  linkLatencyMsMax: number
  /** Extra per-message delay, exponential with this mean (ms). */
  jitterMsMean: number
  /** Probability that a copy is lost (every link). */
  lossRate: number
  /** Probability that a copy is delivered twice. */
  duplicateRate: number
  /** Probability that a copy is held back by an extra uniform(0, reorderMsMax) ms, overtaking nothing else. */
  reorderRate: number
  reorderMsMax: number
}

/** A LAN: 1-3 ms links, 0.5 ms mean jitter, nothing lost, duplicated or reordered. */
export const LAN_NETWORK: NetworkProfile = {
  linkLatencyMsMin: 1,
  linkLatencyMsMax: 3,
  jitterMsMean: 0.5,
  lossRate: 0,
  duplicateRate: 0,
  reorderRate: 0,
  reorderMsMax: 50
}

const KINDS: readonly TrafficKind[] = ['heartbeat', 'gossip', 'request', 'response', 'dial']

export interface TrafficTotals {
  messagesSent: number
  bytesSent: number
  messagesReceived: number
  bytesReceived: number
}

export interface TrafficSnapshot {
  perNode: { messagesSent: Float64Array; bytesSent: Float64Array; messagesReceived: Float64Array; bytesReceived: Float64Array }
  byKind: Record<TrafficKind, TrafficTotals>
  dropped: Record<DropCause, number>
}

export type DropCause = 'loss' | 'nodeLoss' | 'partition' | 'cut' | 'blackhole'

function mix32(a: number, b: number, c: number): number {
  return fmix32((a ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(c, 0x85ebca77)) >>> 0)
}

export class SimNetworkModel implements LinkModel, LinkObserver {
  /** The profile in force (a copy: `loss` operations change its lossRate). */
  readonly profile: NetworkProfile
  private readonly baseLossRate: number
  private readonly random: Random
  private readonly clock: Clock
  private readonly salt: number
  private readonly index = new Map<string, number>()
  private capacity: number
  private side: Int32Array
  private nodeLoss: Float64Array
  private blackholed: Uint8Array
  private readonly cuts = new Set<number>()
  private readonly clogs = new Map<number, number>()
  private sentMsgs: Float64Array
  private sentBytes: Float64Array
  private recvMsgs: Float64Array
  private recvBytes: Float64Array
  private readonly kinds: Record<TrafficKind, TrafficTotals>
  private readonly drops: Record<DropCause, number> = { loss: 0, nodeLoss: 0, partition: 0, cut: 0, blackhole: 0 }
  private partitioned = false
  /**
   * The one decision object every delivered copy gets (MemoryLinks.transmit reads it at once and
   * keeps nothing): one allocation less per message, millions in a 1,000-node run.
   */
  private readonly pass: { drop: false; delayMs: number; duplicate: boolean } = { drop: false, delayMs: 1, duplicate: false }

  constructor(options: { profile: NetworkProfile; random: Random; clock: Clock; nodesMax: number }) {
    this.profile = { ...options.profile }
    this.baseLossRate = options.profile.lossRate
    this.random = options.random
    this.clock = options.clock
    this.salt = options.random.int(2 ** 31)
    this.capacity = options.nodesMax
    const n = this.capacity
    this.side = new Int32Array(n)
    this.nodeLoss = new Float64Array(n)
    this.blackholed = new Uint8Array(n)
    this.sentMsgs = new Float64Array(n)
    this.sentBytes = new Float64Array(n)
    this.recvMsgs = new Float64Array(n)
    this.recvBytes = new Float64Array(n)
    this.kinds = Object.fromEntries(KINDS.map((k) => [k, { messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0 }])) as Record<TrafficKind, TrafficTotals>
  }

  /** Registers a node (in order); its index is its position. */
  addNode(id: string): number {
    const i = this.index.size
    if (i >= this.capacity) throw new Error(`sim network: more than ${this.capacity} nodes`)
    this.index.set(id, i)
    return i
  }

  indexOf(id: string): number {
    const i = this.index.get(id)
    if (i === undefined) throw new Error(`sim network: unknown node ${id}`)
    return i
  }

  // ---- faults ----

  /** Splits the cluster: each group is a side; nodes in no group form one more side together. */
  partition(groups: readonly (readonly string[])[]): void {
    this.side.fill(0)
    groups.forEach((g, gi) => { for (const id of g) this.side[this.indexOf(id)] = gi + 1 })
    this.partitioned = groups.length > 0
  }

  healPartition(): void {
    this.side.fill(0)
    this.partitioned = false
  }

  /** Cuts from → to (and to → from unless oneWay). */
  cut(from: string, to: string, oneWay: boolean): void {
    const a = this.indexOf(from)
    const b = this.indexOf(to)
    this.cuts.add(a * this.capacity + b)
    if (!oneWay) this.cuts.add(b * this.capacity + a)
  }

  heal(from: string, to: string, oneWay: boolean): void {
    const a = this.indexOf(from)
    const b = this.indexOf(to)
    this.cuts.delete(a * this.capacity + b)
    if (!oneWay) this.cuts.delete(b * this.capacity + a)
  }

  healAllCuts(): void {
    this.cuts.clear()
  }

  /** Every link into or out of `id` loses this fraction of copies (0 to clear). */
  setNodeLoss(id: string, rate: number): void {
    this.nodeLoss[this.indexOf(id)] = rate
  }

  /** A crashed host: everything to or from it vanishes (probes time out instead of being refused). */
  setBlackholed(id: string, on: boolean): void {
    this.blackholed[this.indexOf(id)] = on ? 1 : 0
  }

  /** Holds every copy on from → to until `untilMs` (a clogged link: delayed, in order, not lost). */
  clog(from: string, to: string, untilMs: number): void {
    this.clogs.set(this.indexOf(from) * this.capacity + this.indexOf(to), untilMs)
  }

  unclogAll(): void {
    this.clogs.clear()
  }

  /** Uniform loss on every link (undefined: back to the profile's). */
  setLossRate(rate: number | undefined): void {
    this.profile.lossRate = rate ?? this.baseLossRate
  }

  /** Clears every link fault and extra loss (not the profile's latency, duplication or reordering). */
  healAll(): void {
    this.setLossRate(undefined)
    this.healPartition()
    this.healAllCuts()
    this.unclogAll()
    this.nodeLoss.fill(0)
  }

  // ---- LinkModel ----

  decide(from: string, to: string, _bytes: number): LinkDecision {
    const a = this.index.get(from)!
    const b = this.index.get(to)!
    if (this.blackholed[a] === 1 || this.blackholed[b] === 1) return this.drop('blackhole')
    if (this.partitioned && this.side[a] !== this.side[b]) return this.drop('partition')
    const link = a * this.capacity + b
    if (this.cuts.size > 0 && this.cuts.has(link)) return this.drop('cut')
    const p = this.profile
    if (p.lossRate > 0 && this.random.next() < p.lossRate) return this.drop('loss')
    const la = this.nodeLoss[a]!
    const lb = this.nodeLoss[b]!
    if ((la > 0 || lb > 0) && this.random.next() < 1 - (1 - la) * (1 - lb)) return this.drop('nodeLoss')
    const span = p.linkLatencyMsMax - p.linkLatencyMsMin
    let delay = p.linkLatencyMsMin + (span > 0 ? (mix32(this.salt, a, b) / 4294967296) * span : 0)
    if (p.jitterMsMean > 0) delay += -Math.log(1 - this.random.next()) * p.jitterMsMean
    if (p.reorderRate > 0 && this.random.next() < p.reorderRate) delay += this.random.next() * p.reorderMsMax
    if (this.clogs.size > 0) {
      const until = this.clogs.get(link)
      if (until !== undefined) delay = Math.max(delay, until - this.clock.now())
    }
    const pass = this.pass
    pass.duplicate = p.duplicateRate > 0 && this.random.next() < p.duplicateRate
    pass.delayMs = Math.max(1, Math.round(delay))
    return pass
  }

  private drop(cause: DropCause): LinkDecision {
    this.drops[cause]++
    return DROP
  }

  // ---- LinkObserver ----

  sent(from: string, _to: string, bytes: number, kind: TrafficKind): void {
    const i = this.index.get(from)!
    this.sentMsgs[i]!++
    this.sentBytes[i]! += bytes
    const k = this.kinds[kind]
    k.messagesSent++
    k.bytesSent += bytes
  }

  received(_from: string, to: string, bytes: number, kind: TrafficKind): void {
    const i = this.index.get(to)!
    this.recvMsgs[i]!++
    this.recvBytes[i]! += bytes
    const k = this.kinds[kind]
    k.messagesReceived++
    k.bytesReceived += bytes
  }

  /** A copy of the counters now (the summary differences two snapshots). */
  snapshot(): TrafficSnapshot {
    const n = this.index.size
    return {
      perNode: {
        messagesSent: this.sentMsgs.slice(0, n),
        bytesSent: this.sentBytes.slice(0, n),
        messagesReceived: this.recvMsgs.slice(0, n),
        bytesReceived: this.recvBytes.slice(0, n)
      },
      byKind: Object.fromEntries(KINDS.map((k) => [k, { ...this.kinds[k] }])) as Record<TrafficKind, TrafficTotals>,
      dropped: { ...this.drops }
    }
  }
}

const DROP: LinkDecision = { drop: true }
