import { validateConfig } from '../config/load.ts'
import { defaultConfig, PROFILES } from '../config/profiles.ts'
import type { Config, ConfigInput } from '../config/schema.ts'
import type { HealthEventName } from '../events.ts'
import { ClusterNode } from '../node/cluster-node.ts'
import { silentLogger } from '../runtime/logger.ts'
import type { Random } from '../runtime/random.ts'
import { VirtualClock } from '../runtime/virtual-clock.ts'
import { MemoryNetwork, type MemoryTransport } from '../transport/memory-transport.ts'
import { FaultLog } from './fault-log.ts'
import { NodeClock } from './node-clock.ts'
import { RunQueue } from './run-queue.ts'
import { SimNetworkModel, type NetworkProfile } from './sim-network.ts'
import { EV, SEVERITIES, ST, Trace, VIEW_STATES } from './trace.ts'

/**
 * The deterministic simulator's engine: N ClusterNodes (the real agent code: actors, detector,
 * membership, view, alert log) on one VirtualClock and the in-memory network, each with its own
 * NodeClock (pauses, stalls, drift, crashes) and all of their actors on one synchronous run
 * queue. It records the trace and the fault log, and offers the nemesis its operations.
 *
 * The loop (runTo): run every timer due at the earliest virtual millisecond, draining the run
 * queue after each one (so a delivery's consequences happen at its time), then let the event
 * loop run once (setImmediate) so that promise continuations (requests, probes, joins) finish
 * at that same millisecond, then move on. Nothing in it reads the wall clock or Math.random: a
 * run is a pure function of the seed.
 */
export interface SimClusterOptions {
  nodes: number
  /** Every random choice of the engine (per-node streams, network) derives from this stream. */
  random: Random
  /** Agent options over the `lan` profile, for every node. */
  nodeConfig: ConfigInput
  network: NetworkProfile
  /** Per-node clock rate (drift) for nodes listed; others run exact. */
  driftRates?: ReadonlyMap<number, number>
}

export type NodeStatus = 'running' | 'crashed' | 'host-crashed' | 'leaving' | 'left'

export interface SimNode {
  readonly index: number
  readonly id: string
  readonly transport: MemoryTransport
  clock: NodeClock
  node: ClusterNode | undefined
  status: NodeStatus
  incarnation: number
  /** Pauses in force (an explicit pause and a slow node's stall may overlap). */
  pauses: number
  slow: { runMsMean: number; stallMsMean: number; stallMsMax: number } | undefined
  rate: number
}

export const SIM_EPOCH_MS = 1_700_000_000_000

const EVENT_CODES: Record<Exclude<HealthEventName, 'alert:raised'>, number> = {
  'peer:joined': EV.joined, 'peer:suspected': EV.suspected, 'peer:dead': EV.dead,
  'peer:recovered': EV.recovered, 'peer:left': EV.left, 'peer:missing': EV.missing
}

function immediate(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

export class SimCluster {
  readonly clock = new VirtualClock(SIM_EPOCH_MS)
  readonly network: MemoryNetwork
  readonly model: SimNetworkModel
  readonly queue = new RunQueue()
  readonly trace: Trace
  readonly faults: FaultLog
  readonly nodes: SimNode[] = []
  readonly config: Config
  private readonly byId = new Map<string, SimNode>()
  private readonly nodeRandom: Random
  /** The nemesis's own stream (stall lengths, restart join targets). */
  readonly random: Random
  private readonly logger = silentLogger()
  private batches = 0

  constructor(options: SimClusterOptions) {
    this.config = validateConfig({ ...defaultConfig(), ...PROFILES.lan, name: 'sim', ...options.nodeConfig })
    this.nodeRandom = options.random.fork()
    this.random = options.random.fork()
    this.network = new MemoryNetwork({ clock: this.clock, messageBytesMax: this.config.messageBytesMax })
    this.model = new SimNetworkModel({ profile: options.network, random: options.random.fork(), clock: this.clock, nodesMax: options.nodes })
    this.network.setLinkModel(this.model)
    this.network.setLinkObserver(this.model)
    const ids = Array.from({ length: options.nodes }, (_, i) => `n${i}`)
    this.trace = new Trace(ids)
    this.faults = new FaultLog(options.nodes)
    for (const [index, id] of ids.entries()) {
      this.model.addNode(id)
      const rate = options.driftRates?.get(index) ?? 1
      const clock = new NodeClock(this.clock, this.queue, rate)
      const transport = this.network.createTransport(id, { clock })
      const n: SimNode = { index, id, transport, clock, node: undefined, status: 'crashed', incarnation: 0, pauses: 0, slow: undefined, rate }
      this.nodes.push(n)
      this.byId.set(id, n)
    }
  }

  /** Virtual ms since the simulation's epoch. */
  now(): number {
    return this.clock.now() - SIM_EPOCH_MS
  }

  get(id: string): SimNode {
    const n = this.byId.get(id)
    if (n === undefined) throw new Error(`no simulated node ${id}`)
    return n
  }

  running(): SimNode[] {
    return this.nodes.filter((n) => n.status === 'running')
  }

  /** Runs `fn` at virtual time `atMs` (since the epoch) as a timer of its own. */
  at(atMs: number, fn: () => void): void {
    this.clock.setTimeout(fn, Math.max(0, atMs - this.now()))
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Starts (or restarts) a node; it joins through `join` (ids). */
  boot(id: string, join: readonly string[]): void {
    const n = this.get(id)
    if (n.status === 'running' || n.status === 'leaving') throw new Error(`node ${id} is running`)
    if (n.node !== undefined) {
      // A restart: a fresh process with a fresh clock on the same address.
      n.clock = new NodeClock(this.clock, this.queue, n.rate)
      n.transport.newProcess(n.clock)
      n.pauses = 0
    }
    n.incarnation += 1
    n.status = 'running'
    this.model.setBlackholed(id, false)
    const options = { ...this.config, name: id, join: join.map((j) => `/memory/${j}`) }
    const node = new ClusterNode({
      transport: n.transport,
      clock: n.clock,
      random: this.nodeRandom.fork(),
      logger: this.logger,
      options,
      incarnation: n.incarnation,
      schedule: n.clock.schedule
    })
    n.node = node
    this.listen(n, node)
    void node.start()
  }

  /** The process dies: no leave; its host answers for it (connections refused). */
  crash(id: string): void {
    const n = this.get(id)
    if (n.status !== 'running') return
    this.kill(n, 'crashed')
    void n.transport.stop()
    for (const topic of n.transport.subscriptions()) n.transport.unsubscribe(topic)
    this.faults.start(n.index, 'crash', this.now())
  }

  /** The whole host dies: nothing answers, probes and requests to it time out. */
  hostCrash(id: string): void {
    const n = this.get(id)
    if (n.status !== 'running') return
    this.kill(n, 'host-crashed')
    this.model.setBlackholed(id, true)
    this.faults.start(n.index, 'host-crash', this.now())
  }

  /** A graceful stop (SIGTERM): the node announces its leave, then stops. */
  leave(id: string): void {
    const n = this.get(id)
    if (n.status !== 'running' || n.node === undefined) return
    n.status = 'leaving'
    this.faults.start(n.index, 'left', this.now())
    const node = n.node
    void node.stop({ leave: true }).then(() => {
      if (n.node !== node) return
      n.status = 'left'
      n.clock.kill()
      for (const topic of n.transport.subscriptions()) n.transport.unsubscribe(topic)
      this.trace.clearViewsOf(n.index)
    })
  }

  /** Starts a crashed or left node again: same id, next incarnation, joining up to 3 running nodes. */
  restart(id: string): void {
    const n = this.get(id)
    if (n.status === 'running' || n.status === 'leaving') return
    if (n.status === 'host-crashed') {
      void n.transport.stop()
      for (const topic of n.transport.subscriptions()) n.transport.unsubscribe(topic)
    }
    const kind = n.status === 'left' ? 'left' : n.status === 'host-crashed' ? 'host-crash' : 'crash'
    this.faults.end(n.index, kind, this.now())
    const others = this.running().filter((m) => m !== n)
    const join: string[] = []
    for (let i = 0; i < 3 && others.length > 0; i++) join.push(others.splice(this.random.int(others.length), 1)[0]!.id)
    this.boot(id, join)
  }

  /** SIGSTOP (or a GC stall): timers and messages wait until resume. */
  pause(id: string, kind: 'pause' | 'stall' = 'pause'): void {
    const n = this.get(id)
    if (n.status !== 'running') return
    if (kind === 'pause') this.faults.start(n.index, 'pause', this.now())
    if (n.pauses++ === 0) {
      n.clock.pause()
      this.network.setPaused(id, true)
    }
  }

  resume(id: string, kind: 'pause' | 'stall' = 'pause'): void {
    const n = this.get(id)
    if (kind === 'pause') this.faults.end(n.index, 'pause', this.now())
    if (n.pauses === 0) return
    if (--n.pauses === 0 && n.status === 'running') {
      n.clock.resume()
      this.network.setPaused(id, false)
    }
  }

  /**
   * A CPU-starved node (Lifeguard §5): it runs for Exp(runMsMean) ms, then stalls for
   * min(Exp(stallMsMean), stallMsMax) ms, and so on: its timers fire late and its messages are
   * read late, in order, as on a machine that gets too little CPU.
   */
  setSlow(id: string, slow: { runMsMean: number; stallMsMean: number; stallMsMax: number } | undefined): void {
    const n = this.get(id)
    const was = n.slow
    n.slow = slow
    if (slow !== undefined && was === undefined) {
      this.faults.start(n.index, 'slow', this.now(), '', `run ~${slow.runMsMean} ms, stall ~${slow.stallMsMean} ms (max ${slow.stallMsMax})`)
      this.stallLoop(n)
    } else if (slow === undefined && was !== undefined) {
      this.faults.end(n.index, 'slow', this.now())
    }
  }

  private stallLoop(n: SimNode): void {
    const s = n.slow
    if (s === undefined) return
    const exp = (mean: number): number => -Math.log(1 - this.random.next()) * mean
    const runMs = Math.max(1, Math.round(exp(s.runMsMean)))
    const stallMs = Math.max(1, Math.min(s.stallMsMax, Math.round(exp(s.stallMsMean))))
    this.clock.setTimeout(() => {
      if (n.slow === undefined || n.status !== 'running') return
      this.pause(n.id, 'stall')
      this.clock.setTimeout(() => {
        this.resume(n.id, 'stall')
        this.stallLoop(n)
      }, stallMs)
    }, runMs)
  }

  /** The node's clock runs at `rate` relative to virtual time from now on. */
  setDrift(id: string, rate: number): void {
    const n = this.get(id)
    n.rate = rate
    n.clock.setRate(rate)
    if (rate !== 1) this.faults.start(n.index, 'drift', this.now(), '', `rate ${rate}`)
    else this.faults.end(n.index, 'drift', this.now())
  }

  private kill(n: SimNode, status: NodeStatus): void {
    n.status = status
    n.clock.kill()
    n.pauses = 0
    n.slow = undefined
    this.faults.end(n.index, 'slow', this.now())
    this.faults.end(n.index, 'pause', this.now())
    this.network.setPaused(n.id, false)
    this.trace.clearViewsOf(n.index)
  }

  private listen(n: SimNode, node: ClusterNode): void {
    const trace = this.trace
    for (const [name, code] of Object.entries(EVENT_CODES)) {
      node.events.on(name as Exclude<HealthEventName, 'alert:raised'>, (e) => {
        if (n.node !== node) return
        trace.record(this.now(), n.index, code, e.peer, VIEW_STATES.indexOf(e.to), e.observedBySelf)
      })
    }
    node.events.on('alert:raised', (a) => {
      if (n.node !== node) return
      trace.record(this.now(), n.index, EV.alert, a.peer, SEVERITIES.indexOf(a.severity), false)
    })
  }

  // ---- running ------------------------------------------------------------------------------

  /**
   * Advances virtual time to `targetMs` (since the epoch), running every timer in order.
   * `onProgress` is called every few thousand batches (the runner's progress bar).
   */
  async runTo(targetMs: number, onProgress?: (nowMs: number) => void): Promise<void> {
    const target = SIM_EPOCH_MS + targetMs
    const drain = this.queue.drain
    await immediate()
    drain()
    for (;;) {
      const due = this.clock.nextDueMs()
      if (due === undefined || due > target) break
      this.clock.advanceTo(due, drain)
      await immediate()
      drain()
      if (onProgress !== undefined && (++this.batches & 1023) === 0) onProgress(this.now())
    }
    this.clock.advanceTo(target, drain)
    await immediate()
    drain()
  }

  /** Runs until every running node sees every other running node alive, or `limitMs` passes. */
  async runUntilConverged(limitMs: number, stepMs = 250): Promise<number | undefined> {
    const start = this.now()
    while (this.now() - start <= limitMs) {
      if (this.converged()) return this.now() - start
      await this.runTo(this.now() + stepMs)
    }
    return undefined
  }

  /** Every running node sees exactly the other running nodes alive. */
  converged(): boolean {
    const running = this.running()
    for (const n of running) {
      if (this.trace.aliveCount[n.index] !== running.length - 1) return false
    }
    for (const n of running) {
      for (const m of running) {
        if (m !== n && this.trace.views[n.index * this.nodes.length + m.index] !== ST.alive) return false
      }
    }
    return true
  }
}
