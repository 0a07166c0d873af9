import type { AlertEntry, ClusterView, JoinStatus, PeerDetail, PeerView, SelfView } from '../domain/index.ts'
import { AlertLog } from '../alerts/alert-log.ts'
import type { Supervisor } from '../actors/supervisor.ts'
import { lastArrivalMs } from '../detector/phi.ts'
import { EventLog } from '../event-log.ts'
import { HealthEventEmitter } from '../events.ts'
import { Joiner, type JoinerOptions } from '../membership/joiner.ts'
import type { MemberTable } from '../membership/member-table.ts'
import type { NotifiedMark } from '../alerts/who-notifies.ts'
import type { Silence } from '../alerts/silences.ts'
import {
  type ForceLeaveMessage, type HealthSummary
} from '../transport/codec.ts'
import { MessageValidator } from '../transport/message-validator.ts'
import { eventsTopic } from '../transport/topics.ts'
import { LocalView } from '../view/local-view.ts'
import { ReportStore } from '../view/reports.ts'
import { Identity } from './identity.ts'
import { MessageRouter } from './message-router.ts'
import { nodeSupervisor } from './supervision.ts'
import { Publisher } from './publisher.ts'
import { OwnMessages } from './own-messages.ts'
import { Maintenance } from './maintenance.ts'
import { NodeLifecycle } from './node-lifecycle.ts'
import { receiveBudgets } from '../transport/receive-budgets.ts'
import { AlertingGossip, type AlertingListener, type AlertingSnapshot } from './alerting-gossip.ts'
import { AntiEntropy, gossipStateOf } from './anti-entropy.ts'
import { ForceLeaveSpread } from './force-leave-spread.ts'
import { isForceLeft, OperatorForceLeave, type ForceLeaveResult } from './force-leave.ts'
import { Connections } from './connections.ts'
import { detectionOptions } from './detection-options.ts'
import { recordPeerChange } from './peer-changes.ts'
import { Membership } from './membership.ts'
import { Observation } from './observation.ts'
import { Registrations } from './registrations.ts'
import { SuspectWatch } from './suspect-watch.ts'
import { VerdictExchange } from './verdict-exchange.ts'
import { NodeQueries } from './node-views.ts'
import { RingUpkeep } from './ring-upkeep.ts'
import { HeartbeatSchedule } from './heartbeat-schedule.ts'
import { SelfAwareness } from './self-awareness.ts'
import type { NodeOptions } from './options.ts'
import type { ClusterNodeDeps } from './node-deps.ts'

export type { ClusterNodeDeps, NodeInstruments } from './node-deps.ts'

export type { ForceLeaveResult } from './force-leave.ts'

/**
 * One cluster member's protocol engine, on any Transport and Clock: the agent runs it over
 * libp2p on real time, the simulator over the in-memory network on virtual time. It publishes
 * heartbeats, learns members (join/leave announcements, anti-entropy), observes its subjects with
 * one PeerActor each, publishes their verdicts, combines others' verdicts into the local view,
 * refutes suspicions about itself, and tracks its own health (Lifeguard awareness). What it may
 * believe about members (who exists, their addresses, incarnations, leaves, whose verdicts count)
 * is decided by the trust rules (membership/trust.ts) through its Membership (membership.ts).
 */
export class ClusterNode {
  readonly events: HealthEventEmitter
  readonly eventLog: EventLog
  readonly validator: MessageValidator
  readonly members: MemberTable
  readonly membership: Membership
  readonly reports: ReportStore
  readonly view: LocalView
  readonly alertLog: AlertLog
  readonly supervisor: Supervisor
  readonly stats = { heartbeatsSent: 0, heartbeatsReceived: 0, verdictsPublished: 0, publishErrors: 0, refutations: 0, ringRebuilds: 0 }
  private readonly deps: ClusterNodeDeps
  private readonly options: NodeOptions
  private readonly identity: Identity
  private readonly observation: Observation
  private readonly events$: string
  private readonly awareness: SelfAwareness
  private readonly heartbeat: HeartbeatSchedule
  private readonly rings: RingUpkeep
  private readonly verdicts: VerdictExchange
  private readonly registrations: Registrations
  private readonly connections: Connections
  readonly antiEntropy: AntiEntropy
  /** Cluster-wide alerting (marks, silences) on the events topic. */
  readonly alerting: AlertingGossip
  /** Sends cluster force-leaves again, for members that missed them (see force-leave-spread.ts). */
  readonly forceLeaves: ForceLeaveSpread
  /** The suspicions this node holds: second-hand ones to look at again, lonely ones. */
  private readonly suspectWatch: SuspectWatch
  private readonly publisher: Publisher
  /** This node's heartbeats and its signed record. */
  private readonly ownMessages: OwnMessages
  private readonly operatorForceLeave: OperatorForceLeave
  private readonly maintenance: Maintenance
  /** Starts and stops the parts; knows whether the node runs. */
  private readonly lifecycle: NodeLifecycle
  private readonly queries: NodeQueries

  constructor(deps: ClusterNodeDeps) {
    this.deps = deps
    this.options = deps.options
    this.events = deps.events ?? new HealthEventEmitter()
    this.events.onListenerError = (event, err) => deps.logger.error({ err, event }, 'an event listener threw; the event went on to the others')
    const o = this.options
    const id = deps.transport.peerId
    this.identity = new Identity({ id, name: o.name, cluster: o.cluster, incarnation: deps.incarnation, persist: deps.persistIncarnation })
    this.events$ = eventsTopic(o.cluster)
    this.publisher = new Publisher(deps.transport, deps.logger, this.stats)
    this.awareness = new SelfAwareness(o)
    this.heartbeat = new HeartbeatSchedule({ clock: deps.clock, intervalMs: o.heartbeatIntervalMs, beat: (lateByMs, now) => this.sendHeartbeat(lateByMs, now), isRunning: () => this.lifecycle.running })
    this.validator = new MessageValidator({
      cluster: o.cluster, messageBytesMax: o.messageBytesMax, sendersMax: o.membersMax * 2,
      rateLimits: { ...receiveBudgets(o), now: () => deps.clock.now() }
    })
    this.alerting = new AlertingGossip({
      selfId: id,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
      messageBytesMax: o.messageBytesMax,
      header: () => this.identity.nextHeader(),
      publish: (bytes) => { void this.publisher.publishBytes(this.events$, bytes) },
      isRunning: () => this.lifecycle.running
    })
    const forceLeaveMessage = (subject: string, subjectIncarnation: number): ForceLeaveMessage => ({ type: 'force-leave', ...this.identity.nextHeader(), subject, subjectIncarnation })
    this.forceLeaves = new ForceLeaveSpread({
      clock: deps.clock,
      random: deps.random,
      stillForceLeft: (subject) => isForceLeft(this.members.get(subject)),
      incarnationOf: (subject) => this.members.get(subject)?.incarnation,
      publish: (subject, subjectIncarnation) => { void this.publisher.publish(this.events$, forceLeaveMessage(subject, subjectIncarnation)) },
      isRunning: () => this.lifecycle.running
    })
    this.membership = new Membership({
      transport: deps.transport,
      identity: this.identity,
      clock: deps.clock,
      logger: deps.logger,
      options: o,
      observersOf: (s) => this.observation.observersOf(s),
      onChanged: (peerId, membershipChanged) => {
        this.rings.refreshMember(peerId, membershipChanged)
        if (membershipChanged && this.members.get(peerId)?.left === false) this.memberJoined()
      },
      onRefuted: () => {
        this.stats.refutations++
        void this.ownMessages.announce()
      }
    })
    this.members = this.membership.members
    this.ownMessages = new OwnMessages({
      identity: this.identity, membership: this.membership, publisher: this.publisher, eventsTopic: this.events$,
      health: () => this.health(), isLeaving: () => this.lifecycle.leaving, stats: this.stats
    })
    this.reports = new ReportStore(o.membersMax, Math.max(4 * o.observersPerSubject, 32))
    this.alertLog = new AlertLog(o.alertLogMax)
    this.eventLog = new EventLog(o.eventLogMax)
    this.supervisor = nodeSupervisor(o, deps.clock, deps.logger, deps.schedule)
    this.observation = new Observation({
      selfId: id,
      k: o.observersPerSubject,
      supervisor: this.supervisor,
      env: {
        clock: deps.clock,
        options: detectionOptions(o),
        probeTimeoutMs: o.probeTimeoutMs,
        checkIntervalMinMs: Math.max(10, Math.round(o.heartbeatIntervalMs / 4)),
        lateCheckToleranceMs: Math.round(o.heartbeatIntervalMs / 2),
        awareness: () => this.awarenessReading(),
        probe: (peerId, timeoutMs) => deps.transport.probe(peerId, timeoutMs),
        onProbeResult: (ok) => {
          if (ok) this.awareness.probeAnswered()
        },
        onHeartbeatPhi: deps.instruments === undefined ? undefined : (_peerId, phi) => deps.instruments!.heartbeatPhi(phi),
        onState: (peerId, state, transitions) => {
          this.observation.recordState(peerId, state)
          for (const t of transitions) {
            const last = lastArrivalMs(state.detector)
            if ((t.to === 'suspect' || t.to === 'dead') && last !== undefined) deps.instruments?.detection(t.to, state.stateSinceMs - last)
          }
          if (transitions.length > 0) {
            this.view.refresh(peerId, transitions.at(-1)!.reason)
            if (transitions.some((t) => t.to === 'dead' || t.from === 'dead')) this.rings.schedule()
          }
        }
      }
    })
    this.antiEntropy = new AntiEntropy({
      transport: deps.transport,
      random: deps.random,
      logger: deps.logger,
      cluster: o.cluster,
      requestTimeoutMs: o.probeTimeoutMs * 2,
      header: () => this.identity.nextHeader(),
      entries: () => this.membership.digest(this.lifecycle.leaving, (m) => gossipStateOf(m, this.view.stateOf(m.id))),
      merge: (from, entries) => this.membership.mergeDigest(from, entries),
      version: () => `${this.members.version}:${this.view.version}:${this.identity.incarnation}:${this.lifecycle.leaving}`,
      isRunning: () => this.lifecycle.running
    })
    this.connections = new Connections({
      transport: deps.transport,
      members: this.members,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
      reconnectIntervalMs: o.reconnectIntervalMs,
      neighbours: () => this.observation.neighbours(),
      isLive: (m) => this.rings.isLive(m),
      isDead: (m) => this.view.stateOf(m.id) === 'dead',
      onReconnected: (peerId) => { void this.antiEntropy.syncWith(peerId) }
    })
    this.registrations = new Registrations({
      clock: deps.clock,
      graceMs: o.suspicionTimeoutMs + 2 * o.heartbeatIntervalMs,
      joiner: (options) => this.makeJoiner(options),
      isConnected: (peerId) => deps.transport.connectedPeers().includes(peerId),
      onMissing: (address) => this.view.setMissing(address, address),
      onReached: (address, peerId) => {
        this.view.clearMissing(address)
        void this.antiEntropy.syncWith(peerId)
      }
    })
    this.rings = new RingUpkeep({
      clock: deps.clock,
      transport: deps.transport,
      selfId: id,
      cluster: o.cluster,
      members: this.members,
      observation: this.observation,
      debounceMs: Math.min(100, o.heartbeatIntervalMs / 4),
      isRunning: () => this.lifecycle.running,
      stateOf: (m) => this.view.stateOf(m),
      refreshView: (m) => this.view.refresh(m),
      connectNeighbours: () => this.connections.connectNeighbours(),
      onRebuild: () => { this.stats.ringRebuilds++ }
    })
    this.suspectWatch = new SuspectWatch({ observation: this.observation, reports: this.reports })
    this.verdicts = new VerdictExchange({
      selfId: id,
      reports: this.reports,
      observation: this.observation,
      admit: (m) => this.membership.onVerdict(m),
      refreshView: (subject) => this.rings.refreshMember(subject, false),
      publish: (subject, subjectIncarnation, state, health) => {
        this.stats.verdictsPublished++
        void this.publisher.publish(this.events$, { type: 'verdict', ...this.identity.nextHeader(), subject, subjectIncarnation, state, subjectStatus: health?.status ?? 'healthy' })
      }
    })
    this.view = new LocalView({
      clock: deps.clock,
      selfId: id,
      members: this.members,
      reports: this.reports,
      observersOf: (s) => this.observation.observersOf(s),
      ownVerdict: (s) => this.observation.verdictOf(s),
      peerHistoryMax: o.peerHistoryMax,
      suspectReportTtlMs: 4 * o.suspicionTimeoutMs,
      flap: { alarmsMax: o.flapAlarmsMax, windowMs: o.flapWindowMs, holdDownMs: o.flapHoldDownMs, steadyPhiMax: o.flapSteadyPhiMax },
      onChange: (e) => {
        this.suspectWatch.viewChanged(e)
        this.verdicts.viewChanged(e)
        if (e.to === 'alive' && (e.from === 'dead' || e.from === 'left')) this.memberJoined()
        recordPeerChange(this, deps.logger, e)
      }
    })
    this.maintenance = new Maintenance({
      connections: this.connections, suspectWatch: this.suspectWatch, rings: this.rings, view: this.view,
      awareness: this.awareness, membership: this.membership, reports: this.reports
    })
    this.operatorForceLeave = new OperatorForceLeave({
      membership: this.membership, view: this.view, spread: this.forceLeaves, message: forceLeaveMessage,
      publish: (message) => { void this.publisher.publish(this.events$, message) }, isRunning: () => this.lifecycle.running
    })
    const router = new MessageRouter({
      clock: deps.clock, validator: this.validator, membership: this.membership, observation: this.observation, verdicts: this.verdicts,
      alerting: this.alerting, forceLeaves: this.forceLeaves, view: this.view, stats: this.stats,
      isRunning: () => this.lifecycle.running, onPeerHealth: deps.onPeerHealth
    })
    this.lifecycle = new NodeLifecycle({
      transport: deps.transport, clock: deps.clock, options: o, eventsTopic: this.events$, validator: this.validator, router,
      antiEntropy: this.antiEntropy, members: this.members, rings: this.rings, heartbeat: this.heartbeat, maintenance: this.maintenance,
      registrations: this.registrations, alerting: this.alerting, forceLeaves: this.forceLeaves, observation: this.observation,
      supervisor: this.supervisor, ownMessages: this.ownMessages, newJoiner: (options) => this.makeJoiner(options)
    })
    this.queries = new NodeQueries({
      identity: this.identity, transport: deps.transport, clock: deps.clock, version: deps.version, awareness: this.awareness, lifecycle: this.lifecycle,
      joinAddresses: o.join, view: this.view, peerTrend: deps.peerTrend, health: deps.health
    })
  }

  get id(): string {
    return this.identity.id
  }

  get incarnation(): number {
    return this.identity.incarnation
  }

  start(): Promise<void> {
    return this.lifecycle.start()
  }

  /** Stops; with `leave`, first announces a graceful leave so peers mark this node `left` (waiting up to leaveTimeoutMs for direct acknowledgements). */
  stop(options: { leave: boolean; leaveTimeoutMs?: number } = { leave: true }): Promise<void> {
    return this.lifecycle.stop(options)
  }

  /**
   * An operator's force-leave of a member (healthmon force-leave): with `{ cluster: true }` (what
   * the agent's API calls) of a dead member, here and across the cluster; without, here only,
   * alive or not (false when unknown). See force-leave.ts.
   */
  forceLeave(idOrName: string): boolean
  forceLeave(idOrName: string, options: { cluster: true }): ForceLeaveResult
  forceLeave(idOrName: string, options?: { cluster: true }): boolean | ForceLeaveResult {
    return options?.cluster === true ? this.operatorForceLeave.cluster(idOrName) : this.operatorForceLeave.local(idOrName)
  }

  /** A member joined or came back: what this node spreads by itself is sent again soon. */
  private memberJoined(): void {
    this.alerting.memberJoined()
    this.forceLeaves.memberJoined()
  }

  // ---- cluster-wide alerting (issue 8) ------------------------------------------------------

  /**
   * Gossips this node's notification marks (`by` must be this node; others are skipped and
   * counted) and silences to the cluster: coalesced, split into bounded messages, paced.
   */
  publishAlerting(update: { marks?: readonly NotifiedMark[]; silences?: readonly Silence[] }): void {
    this.alerting.publish(update)
  }

  /**
   * Called (on a microtask, never inside a peer actor) with each accepted alerting update from
   * another live member: marks attributed to that member, silences that passed validateSilence.
   * Never for this node's own. Returns the unsubscribe function.
   */
  onAlerting(listener: AlertingListener): () => void {
    return this.alerting.onUpdate(listener)
  }

  /**
   * Sets where this node's silences come from for anti-entropy: they are sent again every
   * minute or so and soon after a member joins, so that a node that joins later learns them.
   */
  setAlertingSnapshot(provider: AlertingSnapshot): void {
    this.alerting.setSnapshot(provider)
  }

  /** A subject's observers in ring order, as every member computes them (who notifies about it). */
  observersOf(subject: string): readonly string[] {
    return this.observation.observersOf(subject)
  }

  /** Whether a member is in the member list and neither dead nor left in this node's view. */
  isLiveMember(id: string): boolean {
    if (id === this.identity.id) return this.lifecycle.running
    const m = this.members.get(id)
    return m !== undefined && this.rings.isLive(m)
  }

  /** This node holds most of its subjects suspect or dead while nobody else does: it is the one cut off. */
  isolated(): boolean {
    return this.suspectWatch.mostSubjectsAlone()
  }

  /** Registers an expected member by address: dialled until it answers, `missing` until then. */
  registerNode(address: string): void {
    this.registrations.register(address, this.lifecycle.running)
  }

  private makeJoiner(options: Pick<JoinerOptions, 'addresses' | 'isConnected' | 'onJoined'>): Joiner {
    return new Joiner({
      ...options,
      retryIntervalMsMin: this.options.joinRetryIntervalMsMin,
      retryIntervalMsMax: this.options.joinRetryIntervalMsMax,
      clock: this.deps.clock,
      random: this.deps.random,
      logger: this.deps.logger,
      dial: (address) => this.deps.transport.dial(address)
    })
  }

  // ---- queries (node-views.ts) -----------------------------------------------------------------

  selfView(): SelfView {
    return this.queries.selfView()
  }

  /** Where joining stands (none, joining, joined): selfView's `join`, without building the rest of it. */
  joinStatus(): JoinStatus {
    return this.queries.joinStatus()
  }

  /** The Lifeguard awareness score (0: this node's timers are on time): selfView's `awareness`. */
  get awarenessScore(): number {
    return this.awareness.score
  }

  /** The view's peers, by name then id (clusterView's `peers`, without this node's own view). */
  peers(): PeerView[] {
    return this.queries.peers()
  }

  clusterView(): ClusterView {
    return this.queries.clusterView()
  }

  peerDetail(idOrName: string): PeerDetail | undefined {
    return this.queries.peerDetail(idOrName)
  }

  /**
   * Actors stopped now for failing past their restart budget (each is restarted after its
   * cooldown). Non-zero means some peer goes unobserved by this node meanwhile: alert on it.
   */
  stoppedActors(): number {
    return this.supervisor.parkedCount()
  }

  alerts(): AlertEntry[] {
    return this.alertLog.list()
  }

  /** This node's own health, carried in its heartbeats. */
  health(): HealthSummary {
    return this.queries.health()
  }

  /** Evidence from the runtime that the event loop lagged (fed by the agent's lag monitor). */
  reportEventLoopLag(lagMs: number): void {
    this.awareness.eventLoopLag(lagMs)
  }

  /** One beat of the heartbeat schedule: its lateness is awareness's evidence, then the heartbeat goes out. */
  private sendHeartbeat(lateByMs: number, nowMs: number): void {
    this.awareness.ownHeartbeat(lateByMs, nowMs)
    this.ownMessages.heartbeat()
  }

  private awarenessReading() {
    const now = this.deps.clock.now()
    return this.awareness.reading(now, this.lifecycle.running && this.heartbeat.overdueMs(now) > this.options.heartbeatIntervalMs / 2)
  }
}
