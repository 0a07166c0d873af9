import type { AlertEntry, ClusterView, JoinStatus, PeerDetail, PeerView, SelfView } from '../domain/index.ts'
import type { Supervisor } from '../actors/supervisor.ts'
import type { AlertLog } from '../alerts/alert-log.ts'
import type { Silence } from '../alerts/silences.ts'
import type { NotifiedMark } from '../alerts/who-notifies.ts'
import type { EventLog } from '../event-log.ts'
import type { HealthEventEmitter } from '../events.ts'
import type { MemberTable } from '../membership/member-table.ts'
import type { HealthSummary } from '../transport/codec.ts'
import type { MessageValidator } from '../transport/message-validator.ts'
import type { LocalView } from '../view/local-view.ts'
import type { ReportStore } from '../view/reports.ts'
import type { AlertingGossip, AlertingListener, AlertingSnapshot } from './alerting-gossip.ts'
import type { AntiEntropy } from './anti-entropy.ts'
import type { ForceLeaveSpread } from './force-leave-spread.ts'
import type { ForceLeaveResult } from './force-leave.ts'
import type { Membership } from './membership.ts'
import type { ClusterNodeDeps } from './node-deps.ts'
import { wireNode, type NodeParts, type NodeStats } from './node-wiring.ts'

export type { ClusterNodeDeps, NodeInstruments } from './node-deps.ts'
export type { ForceLeaveResult } from './force-leave.ts'
export type { NodeStats } from './node-wiring.ts'

/**
 * One cluster member's protocol engine, on any Transport and Clock: the agent runs it over
 * libp2p on real time, the simulator over the in-memory network on virtual time. It publishes
 * heartbeats, learns members (join/leave announcements, anti-entropy), observes its subjects with
 * one PeerActor each, publishes their verdicts, combines others' verdicts into the local view,
 * refutes suspicions about itself, and tracks its own health (Lifeguard awareness). What it may
 * believe about members (who exists, their addresses, incarnations, leaves, whose verdicts count)
 * is decided by the trust rules (membership/trust.ts) through its Membership (membership.ts).
 *
 * This class is the engine's public surface only: node-wiring.ts builds the parts and joins
 * them, node-lifecycle.ts starts and stops them, and each method here calls the part that owns
 * the answer.
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
  readonly stats: NodeStats
  readonly antiEntropy: AntiEntropy
  /** Cluster-wide alerting (marks, silences) on the events topic. */
  readonly alerting: AlertingGossip
  /** Sends cluster force-leaves again, for members that missed them (see force-leave-spread.ts). */
  readonly forceLeaves: ForceLeaveSpread
  /** Every part, built and joined by node-wiring.ts. */
  private readonly parts: NodeParts

  constructor(deps: ClusterNodeDeps) {
    const parts = wireNode(deps)
    this.parts = parts
    this.events = parts.events
    this.eventLog = parts.eventLog
    this.validator = parts.validator
    this.members = parts.members
    this.membership = parts.membership
    this.reports = parts.reports
    this.view = parts.view
    this.alertLog = parts.alertLog
    this.supervisor = parts.supervisor
    this.stats = parts.stats
    this.antiEntropy = parts.antiEntropy
    this.alerting = parts.alerting
    this.forceLeaves = parts.forceLeaves
  }

  get id(): string {
    return this.parts.identity.id
  }

  get incarnation(): number {
    return this.parts.identity.incarnation
  }

  start(): Promise<void> {
    return this.parts.lifecycle.start()
  }

  /** Stops; with `leave`, first announces a graceful leave so peers mark this node `left` (waiting up to leaveTimeoutMs for direct acknowledgements). */
  stop(options: { leave: boolean; leaveTimeoutMs?: number } = { leave: true }): Promise<void> {
    return this.parts.lifecycle.stop(options)
  }

  /**
   * An operator's force-leave of a member (healthmon force-leave): with `{ cluster: true }` (what
   * the agent's API calls) of a dead member, here and across the cluster; without, here only,
   * alive or not (false when unknown). See force-leave.ts.
   */
  forceLeave(idOrName: string): boolean
  forceLeave(idOrName: string, options: { cluster: true }): ForceLeaveResult
  forceLeave(idOrName: string, options?: { cluster: true }): boolean | ForceLeaveResult {
    return options?.cluster === true ? this.parts.operatorForceLeave.cluster(idOrName) : this.parts.operatorForceLeave.local(idOrName)
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
    return this.parts.observation.observersOf(subject)
  }

  /** Whether a member is in the member list and neither dead nor left in this node's view. */
  isLiveMember(id: string): boolean {
    if (id === this.parts.identity.id) return this.parts.lifecycle.running
    const m = this.members.get(id)
    return m !== undefined && this.parts.rings.isLive(m)
  }

  /** This node holds most of its subjects suspect or dead while nobody else does: it is the one cut off. */
  isolated(): boolean {
    return this.parts.suspectWatch.mostSubjectsAlone()
  }

  /** Registers an expected member by address: dialled until it answers, `missing` until then. */
  registerNode(address: string): void {
    this.parts.registrations.register(address, this.parts.lifecycle.running)
  }

  // ---- queries (node-views.ts) -----------------------------------------------------------------

  selfView(): SelfView {
    return this.parts.queries.selfView()
  }

  /** Where joining stands (none, joining, joined): selfView's `join`, without building the rest of it. */
  joinStatus(): JoinStatus {
    return this.parts.queries.joinStatus()
  }

  /** The Lifeguard awareness score (0: this node's timers are on time): selfView's `awareness`. */
  get awarenessScore(): number {
    return this.parts.awareness.score
  }

  /** The view's peers, by name then id (clusterView's `peers`, without this node's own view). */
  peers(): PeerView[] {
    return this.parts.queries.peers()
  }

  clusterView(): ClusterView {
    return this.parts.queries.clusterView()
  }

  peerDetail(idOrName: string): PeerDetail | undefined {
    return this.parts.queries.peerDetail(idOrName)
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
    return this.parts.queries.health()
  }

  /** Evidence from the runtime that the event loop lagged (fed by the agent's lag monitor). */
  reportEventLoopLag(lagMs: number): void {
    this.parts.awareness.eventLoopLag(lagMs)
  }
}
