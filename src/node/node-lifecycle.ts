import type { Supervisor } from '../actors/supervisor.ts'
import type { Joiner, JoinerOptions } from '../membership/joiner.ts'
import type { MemberTable } from '../membership/member-table.ts'
import type { Clock, Timer } from '../runtime/clock.ts'
import type { MessageValidator } from '../transport/message-validator.ts'
import type { Transport } from '../transport/types.ts'
import type { AlertingGossip } from './alerting-gossip.ts'
import type { AntiEntropy } from './anti-entropy.ts'
import type { ForceLeaveSpread } from './force-leave-spread.ts'
import type { HeartbeatSchedule } from './heartbeat-schedule.ts'
import type { Maintenance } from './maintenance.ts'
import type { MessageRouter } from './message-router.ts'
import type { Observation } from './observation.ts'
import type { NodeOptions } from './options.ts'
import type { OwnMessages } from './own-messages.ts'
import type { Registrations } from './registrations.ts'
import type { RingUpkeep } from './ring-upkeep.ts'

/**
 * A ClusterNode's start and stop, the one place that turns its parts on and off: start installs
 * the receive path and the anti-entropy server, starts the transport, the rings, the heartbeat,
 * the periodic timers, joining and the registrations, and announces this node; stop (with a
 * graceful leave first, unless told otherwise) turns them off again. Both are idempotent. The
 * parts read `running`, and the digest and the own record `leaving`, through the closures
 * node-wiring.ts gave them.
 */
export interface NodeLifecycleDeps {
  transport: Transport
  clock: Clock
  options: Pick<NodeOptions, 'join' | 'antiEntropyIntervalMs' | 'heartbeatIntervalMs'>
  /** The cluster's events topic (records, verdicts, alerting, force-leaves). */
  eventsTopic: string
  validator: MessageValidator
  router: MessageRouter
  antiEntropy: AntiEntropy
  members: MemberTable
  rings: RingUpkeep
  heartbeat: HeartbeatSchedule
  maintenance: Maintenance
  registrations: Registrations
  alerting: AlertingGossip
  forceLeaves: ForceLeaveSpread
  observation: Observation
  supervisor: Supervisor
  ownMessages: OwnMessages
  newJoiner(options: Pick<JoinerOptions, 'addresses' | 'isConnected' | 'onJoined'>): Joiner
}

/** Peers told directly of a graceful leave (the rest hear it by gossip or anti-entropy). */
const LEAVE_DIRECT_PEERS_MAX = 16

export class NodeLifecycle {
  private readonly deps: NodeLifecycleDeps
  private readonly timers: Timer[] = []
  private runningValue = false
  private leavingValue = false
  private startedAtMsValue = 0
  private joinerValue: Joiner | undefined

  constructor(deps: NodeLifecycleDeps) {
    this.deps = deps
  }

  get running(): boolean {
    return this.runningValue
  }

  /** Set while stopping with a leave: this node's digest entry and record say `left`. */
  get leaving(): boolean {
    return this.leavingValue
  }

  get startedAtMs(): number {
    return this.startedAtMsValue
  }

  /** The --join list's joiner, once started. */
  get joiner(): Joiner | undefined {
    return this.joinerValue
  }

  async start(): Promise<void> {
    if (this.runningValue) return
    this.runningValue = true
    const { transport, clock, options } = this.deps
    this.startedAtMsValue = clock.now()
    transport.setValidator(this.deps.validator.validate)
    transport.onMessage(this.deps.router.onMessage)
    this.deps.antiEntropy.install()
    transport.on('peer:connect', (peerId) => {
      if (!this.deps.members.has(peerId)) void this.deps.antiEntropy.syncWith(peerId)
    })
    transport.on('peer:disconnect', () => {
      if (transport.connectedPeers().length === 0) this.joinerValue?.lostAllPeers()
    })
    await transport.start()
    transport.subscribe(this.deps.eventsTopic)
    this.deps.rings.rebuildNow()
    this.deps.heartbeat.start()
    this.timers.push(clock.setInterval(() => this.deps.antiEntropy.tick(), options.antiEntropyIntervalMs))
    this.timers.push(clock.setInterval(() => this.deps.maintenance.tick(), Math.max(options.heartbeatIntervalMs, 500)))
    this.joinerValue = this.deps.newJoiner({
      addresses: options.join,
      isConnected: () => transport.connectedPeers().length > 0,
      onJoined: (peerId) => { void this.deps.antiEntropy.syncWith(peerId).then(() => { void this.deps.ownMessages.announce() }) }
    })
    this.joinerValue.start()
    this.deps.registrations.startAll()
    // Announced at once only to peers already connected (a transport kept across a restart);
    // a fresh transport has none (libp2p publishes to nobody here), and the join announces
    // once connected. In-memory gossip reaches every subscriber, connected or not, so without
    // this check a simulated boot delivered every record twice, N^2/2 deliveries for nothing.
    if (transport.connectedPeers().length > 0) void this.deps.ownMessages.announce()
    this.deps.alerting.start()
  }

  /** Stops; with `leave`, first announces a graceful leave so peers mark this node `left` (waiting up to leaveTimeoutMs for direct acknowledgements). */
  async stop(options: { leave: boolean; leaveTimeoutMs?: number } = { leave: true }): Promise<void> {
    if (!this.runningValue) return
    this.runningValue = false
    const d = this.deps
    if (options.leave) {
      this.leavingValue = true
      await d.ownMessages.announce()
      // Gossip is fire and forget, and closing the connections right after publishing can lose
      // the message under load. So the leave also goes directly, as an anti-entropy digest that
      // lists this node as left, to the connected peers (acknowledged); from them it spreads by
      // anti-entropy to anyone the gossip missed.
      await d.antiEntropy.push(d.transport.connectedPeers().slice(0, LEAVE_DIRECT_PEERS_MAX), options.leaveTimeoutMs ?? 1000)
    }
    this.joinerValue?.stop()
    d.alerting.stop()
    d.forceLeaves.stop()
    d.registrations.stopAll()
    for (const t of this.timers) t.cancel()
    this.timers.length = 0
    d.heartbeat.stop()
    d.rings.stop()
    d.observation.stopAll()
    await d.supervisor.stopAll()
    await d.transport.stop()
  }
}
