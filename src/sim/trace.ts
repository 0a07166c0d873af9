import { createHash } from 'node:crypto'
import type { HealthEventName } from '../events.ts'

/**
 * The simulation trace: every event every node's `events` emitter raised (the same stream the
 * API's watch and the alert log read: STYLE habit 8), as (virtual time, node, event, peer,
 * state), in the order they happened. Stored in columns (typed arrays), so a 1,000-node run's
 * millions of events stay compact, and hashed (sha256) as it grows: the hash is what
 * --check-determinism compares.
 *
 * It also keeps the current view matrix (what each node's view says of each other node now),
 * which the simulator uses to tell when the cluster has converged.
 */
export const EVENT_TYPES: readonly HealthEventName[] = ['peer:joined', 'peer:suspected', 'peer:dead', 'peer:recovered', 'peer:left', 'peer:missing', 'alert:raised']
export type ViewState = 'alive' | 'suspect' | 'dead' | 'left' | 'missing'
export const VIEW_STATES: readonly ViewState[] = ['alive', 'suspect', 'dead', 'left', 'missing']
export const SEVERITIES = ['info', 'warning', 'critical'] as const
/** In the view matrix: never heard of. */
export const UNKNOWN = 255

export const EV = { joined: 0, suspected: 1, dead: 2, recovered: 3, left: 4, missing: 5, alert: 6 } as const
export const ST = { alive: 0, suspect: 1, dead: 2, left: 3, missing: 4 } as const

export interface TraceEvent {
  /** Virtual ms since the simulation's epoch. */
  t: number
  node: number
  type: number
  peer: number
  /** The view state entered (ST), or the alert severity for alert:raised. */
  state: number
  /** Peer events: the node's own detector made the call. */
  self: boolean
}

const HASH_BATCH = 4096

export class Trace {
  readonly nodeIds: string[]
  private readonly indexOf: Map<string, number>
  private capacity = 1 << 16
  private size = 0
  t = new Float64Array(this.capacity)
  node = new Int32Array(this.capacity)
  type = new Uint8Array(this.capacity)
  peer = new Int32Array(this.capacity)
  state = new Uint8Array(this.capacity)
  self = new Uint8Array(this.capacity)
  /** views[o * n + p]: node o's view of node p now. */
  readonly views: Uint8Array
  /** How many peers each node sees alive now. */
  readonly aliveCount: Int32Array
  private readonly n: number
  private readonly hash = createHash('sha256')
  private pending: string[] = []

  constructor(nodeIds: readonly string[]) {
    this.nodeIds = [...nodeIds]
    this.n = nodeIds.length
    this.indexOf = new Map(nodeIds.map((id, i) => [id, i]))
    this.views = new Uint8Array(this.n * this.n).fill(UNKNOWN)
    this.aliveCount = new Int32Array(this.n)
  }

  get length(): number {
    return this.size
  }

  index(id: string): number {
    return this.indexOf.get(id) ?? -1
  }

  record(t: number, node: number, type: number, peerId: string, state: number, self: boolean): void {
    const peer = this.index(peerId)
    if (this.size === this.capacity) this.grow()
    const i = this.size++
    this.t[i] = t
    this.node[i] = node
    this.type[i] = type
    this.peer[i] = peer
    this.state[i] = state
    this.self[i] = self ? 1 : 0
    if (type !== EV.alert && peer >= 0) {
      const cell = node * this.n + peer
      const before = this.views[cell]
      if (before === ST.alive) this.aliveCount[node]!--
      if (state === ST.alive) this.aliveCount[node]!++
      this.views[cell] = state
    }
    this.pending.push(`${t} ${node} ${type} ${peer} ${state} ${self ? 1 : 0}\n`)
    if (this.pending.length >= HASH_BATCH) this.flush()
  }

  /** A node's view is gone (crash, leave): forget what it saw, it will see afresh on restart. */
  clearViewsOf(node: number): void {
    const row = node * this.n
    for (let p = 0; p < this.n; p++) this.views[row + p] = UNKNOWN
    this.aliveCount[node] = 0
  }

  /** Event indices grouped by peer, each group in trace order (CSR: starts[p] .. starts[p + 1]). */
  byPeer(): { starts: Int32Array; events: Int32Array } {
    const starts = new Int32Array(this.n + 1)
    for (let i = 0; i < this.size; i++) {
      const p = this.peer[i]!
      if (p >= 0) starts[p + 1]!++
    }
    for (let p = 0; p < this.n; p++) starts[p + 1]! += starts[p]!
    const fill = starts.slice(0, this.n)
    const events = new Int32Array(starts[this.n]!)
    for (let i = 0; i < this.size; i++) {
      const p = this.peer[i]!
      if (p >= 0) events[fill[p]!++] = i
    }
    return { starts, events }
  }

  event(i: number): TraceEvent {
    return { t: this.t[i]!, node: this.node[i]!, type: this.type[i]!, peer: this.peer[i]!, state: this.state[i]!, self: this.self[i] === 1 }
  }

  /** sha256 of every event so far, in order (hex). */
  digest(): string {
    this.flush()
    return this.hash.copy().digest('hex')
  }

  private flush(): void {
    if (this.pending.length === 0) return
    this.hash.update(this.pending.join(''))
    this.pending = []
  }

  private grow(): void {
    this.capacity *= 2
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(this.capacity)
      b.set(a)
      return b
    }
    this.t = g(this.t, (n) => new Float64Array(n))
    this.node = g(this.node, (n) => new Int32Array(n))
    this.type = g(this.type, (n) => new Uint8Array(n))
    this.peer = g(this.peer, (n) => new Int32Array(n))
    this.state = g(this.state, (n) => new Uint8Array(n))
    this.self = g(this.self, (n) => new Uint8Array(n))
  }
}
