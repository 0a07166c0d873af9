import { defaultConfig, PROFILES } from '../config/profiles.ts'
import { validateConfig } from '../config/load.ts'
import type { ConfigInput } from '../config/schema.ts'
import { ClusterNode } from '../node/cluster-node.ts'
import { silentLogger, type Logger } from '../runtime/logger.ts'
import { seededRandom, type Random } from '../runtime/random.ts'
import { VirtualClock } from '../runtime/virtual-clock.ts'
import { MemoryNetwork, type MemoryTransport } from '../transport/memory-transport.ts'

/**
 * Many ClusterNodes (the real protocol code) on one VirtualClock and one in-memory network. Time
 * moves only in `runFor`, timer by timer, and after each timer every microtask it caused (actor
 * mailboxes, transport promises) runs before the next: a run is a pure function of the seed and
 * the operations applied, so it replays exactly.
 */
export interface VirtualClusterOptions {
  seed: number
  /** Options applied to every node (over the `lan` defaults). */
  node?: ConfigInput
  logger?: Logger
  startMs?: number
}

interface SimNode {
  id: string
  node: ClusterNode
  transport: MemoryTransport
  incarnation: number
}

/** Lets every pending microtask (and the ones they queue) run. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export class VirtualCluster {
  readonly clock: VirtualClock
  readonly network: MemoryNetwork
  readonly random: Random
  private readonly nodeOptions: ConfigInput
  private readonly logger: Logger
  private readonly nodes = new Map<string, SimNode>()

  constructor(options: VirtualClusterOptions) {
    this.clock = new VirtualClock(options.startMs)
    this.random = seededRandom(options.seed)
    this.nodeOptions = options.node ?? {}
    this.logger = options.logger ?? silentLogger()
    const base = validateConfig({ ...defaultConfig(), ...PROFILES.lan, ...this.nodeOptions })
    this.network = new MemoryNetwork({ clock: this.clock, messageBytesMax: base.messageBytesMax })
  }

  /** Adds and starts a node; it joins through `join` (ids of running nodes) if given. */
  async add(id: string, join: string[] = []): Promise<ClusterNode> {
    if (this.nodes.has(id)) throw new Error(`node ${id} exists`)
    const transport = this.network.createTransport(id)
    return this.boot({ id, transport, incarnation: 1 }, join)
  }

  /** Stops a node abruptly: no leave announcement, its connections refuse from now on. */
  async crash(id: string): Promise<void> {
    const n = this.get(id)
    await n.node.stop({ leave: false })
    for (const topic of n.transport.subscriptions()) n.transport.unsubscribe(topic)
    await drainMicrotasks()
  }

  /** Stops a node gracefully: it announces its leave first. */
  async leave(id: string): Promise<void> {
    const n = this.get(id)
    // Leaving waits for acknowledgements, which travel on virtual time: drive the clock meanwhile.
    let stopped = false
    const stopping = n.node.stop({ leave: true }).then(() => { stopped = true })
    await this.runUntil(() => stopped, 60_000)
    await stopping
    for (const topic of n.transport.subscriptions()) n.transport.unsubscribe(topic)
    await drainMicrotasks()
  }

  /** Starts a crashed or left node again with the same id and a higher incarnation. */
  async restart(id: string, join: string[]): Promise<ClusterNode> {
    const n = this.get(id)
    return this.boot({ id, transport: n.transport, incarnation: n.node.incarnation + 1 }, join)
  }

  get(id: string): SimNode {
    const n = this.nodes.get(id)
    if (n === undefined) throw new Error(`no node ${id}`)
    return n
  }

  ids(): string[] {
    return [...this.nodes.keys()]
  }

  /** Advances virtual time by `ms`, running every due timer in order with its consequences. */
  async runFor(ms: number): Promise<void> {
    const target = this.clock.now() + ms
    await drainMicrotasks()
    for (;;) {
      const due = this.clock.nextDueMs()
      if (due === undefined || due > target) break
      this.clock.step()
      await drainMicrotasks()
    }
    this.clock.advanceTo(target)
    await drainMicrotasks()
  }

  /** Runs until `predicate` holds, checking after every timer; returns the virtual ms it took, or undefined. */
  async runUntil(predicate: () => boolean, limitMs: number): Promise<number | undefined> {
    const start = this.clock.now()
    const target = start + limitMs
    await drainMicrotasks()
    while (!predicate()) {
      const due = this.clock.nextDueMs()
      if (due === undefined || due > target) return undefined
      this.clock.step()
      await drainMicrotasks()
    }
    return this.clock.now() - start
  }

  private async boot(n: Omit<SimNode, 'node'>, join: string[]): Promise<ClusterNode> {
    const options = validateConfig({ ...defaultConfig(), ...PROFILES.lan, ...this.nodeOptions, name: n.id, join: join.map((j) => `/memory/${j}`) })
    const node = new ClusterNode({
      transport: n.transport,
      clock: this.clock,
      random: this.random.fork(),
      logger: this.logger,
      options,
      incarnation: n.incarnation
    })
    this.nodes.set(n.id, { ...n, node })
    await node.start()
    await drainMicrotasks()
    return node
  }
}
