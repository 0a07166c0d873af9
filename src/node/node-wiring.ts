import type { AwarenessReading } from '../actors/peer-actor.ts'
import type { Supervisor } from '../actors/supervisor.ts'
import { AlertLog } from '../alerts/alert-log.ts'
import { lastArrivalMs } from '../detector/phi.ts'
import { EventLog } from '../event-log.ts'
import { HealthEventEmitter } from '../events.ts'
import { Joiner, type JoinerOptions } from '../membership/joiner.ts'
import type { MemberTable } from '../membership/member-table.ts'
import type { ForceLeaveMessage } from '../transport/codec.ts'
import { MessageValidator } from '../transport/message-validator.ts'
import { receiveBudgets } from '../transport/receive-budgets.ts'
import { eventsTopic } from '../transport/topics.ts'
import { LocalView } from '../view/local-view.ts'
import { ReportStore } from '../view/reports.ts'
import { AlertingGossip } from './alerting-gossip.ts'
import { AntiEntropy, gossipStateOf } from './anti-entropy.ts'
import { Connections } from './connections.ts'
import { detectionOptions } from './detection-options.ts'
import { ForceLeaveSpread } from './force-leave-spread.ts'
import { isForceLeft, OperatorForceLeave } from './force-leave.ts'
import { HeartbeatSchedule } from './heartbeat-schedule.ts'
import { Identity } from './identity.ts'
import { Maintenance } from './maintenance.ts'
import { Membership } from './membership.ts'
import { MessageRouter } from './message-router.ts'
import type { ClusterNodeDeps } from './node-deps.ts'
import { NodeLifecycle } from './node-lifecycle.ts'
import { NodeQueries } from './node-views.ts'
import { Observation } from './observation.ts'
import { OwnMessages } from './own-messages.ts'
import { recordPeerChange } from './peer-changes.ts'
import { Publisher } from './publisher.ts'
import { Registrations } from './registrations.ts'
import { RingUpkeep } from './ring-upkeep.ts'
import { SelfAwareness } from './self-awareness.ts'
import { SuspectWatch } from './suspect-watch.ts'
import { nodeSupervisor } from './supervision.ts'
import { VerdictExchange } from './verdict-exchange.ts'

/** The node's counters (on /metrics). */
export interface NodeStats {
  heartbeatsSent: number
  heartbeatsReceived: number
  verdictsPublished: number
  /** Publishes that failed (fire and forget: gossip and anti-entropy repair them). */
  publishErrors: number
  /** Incarnation raises that refuted a claim about this node. */
  refutations: number
  ringRebuilds: number
}

/** The parts ClusterNode exposes or answers from. */
export interface NodeParts {
  stats: NodeStats
  events: HealthEventEmitter
  eventLog: EventLog
  alertLog: AlertLog
  identity: Identity
  validator: MessageValidator
  membership: Membership
  members: MemberTable
  reports: ReportStore
  view: LocalView
  supervisor: Supervisor
  observation: Observation
  awareness: SelfAwareness
  rings: RingUpkeep
  suspectWatch: SuspectWatch
  registrations: Registrations
  antiEntropy: AntiEntropy
  alerting: AlertingGossip
  forceLeaves: ForceLeaveSpread
  operatorForceLeave: OperatorForceLeave
  lifecycle: NodeLifecycle
  queries: NodeQueries
}

/**
 * The composition of one ClusterNode: each part built once, from the options and the parts it
 * needs, and joined to the others by the callbacks given here. Those callbacks are the node's
 * data flow, read in one place: a membership change refreshes the member's view state (and may
 * reshape the rings); an actor's transition refreshes the view; a view change goes to the suspect
 * watch, the verdict exchange and the events; a member that joins or comes back has alerting and
 * force-leaves sent again soon. Building starts nothing: NodeLifecycle.start() does.
 */
export function wireNode(deps: ClusterNodeDeps): NodeParts {
  const stats: NodeStats = { heartbeatsSent: 0, heartbeatsReceived: 0, verdictsPublished: 0, publishErrors: 0, refutations: 0, ringRebuilds: 0 }
  const events = deps.events ?? new HealthEventEmitter()
  events.onListenerError = (event, err) => deps.logger.error({ err, event }, 'an event listener threw; the event went on to the others')
  const o = deps.options
  const id = deps.transport.peerId
  const identity = new Identity({ id, name: o.name, cluster: o.cluster, incarnation: deps.incarnation, persist: deps.persistIncarnation })
  const events$ = eventsTopic(o.cluster)
  const publisher = new Publisher(deps.transport, deps.logger, stats)
  const awareness = new SelfAwareness(o)
  const heartbeat = new HeartbeatSchedule({
    clock: deps.clock,
    intervalMs: o.heartbeatIntervalMs,
    // A beat's lateness is awareness's evidence; then the heartbeat goes out.
    beat: (lateByMs, now) => {
      awareness.ownHeartbeat(lateByMs, now)
      ownMessages.heartbeat()
    },
    isRunning: () => lifecycle.running
  })
  const validator = new MessageValidator({
    cluster: o.cluster, messageBytesMax: o.messageBytesMax, sendersMax: o.membersMax * 2,
    rateLimits: { ...receiveBudgets(o), now: () => deps.clock.now() },
    ...(deps.transport.sharedValues !== undefined ? { sharedValues: deps.transport.sharedValues } : {})
  })
  const alerting = new AlertingGossip({
    selfId: id,
    clock: deps.clock,
    random: deps.random,
    logger: deps.logger,
    messageBytesMax: o.messageBytesMax,
    header: () => identity.nextHeader(),
    publish: (bytes) => { void publisher.publishBytes(events$, bytes) },
    isRunning: () => lifecycle.running
  })
  const forceLeaveMessage = (subject: string, subjectIncarnation: number): ForceLeaveMessage => ({ type: 'force-leave', ...identity.nextHeader(), subject, subjectIncarnation })
  const forceLeaves = new ForceLeaveSpread({
    clock: deps.clock,
    random: deps.random,
    stillForceLeft: (subject) => isForceLeft(members.get(subject)),
    incarnationOf: (subject) => members.get(subject)?.incarnation,
    publish: (subject, subjectIncarnation) => { void publisher.publish(events$, forceLeaveMessage(subject, subjectIncarnation)) },
    isRunning: () => lifecycle.running
  })
  const membership = new Membership({
    transport: deps.transport,
    identity,
    clock: deps.clock,
    logger: deps.logger,
    options: o,
    observersOf: (s) => observation.observersOf(s),
    onChanged: (peerId, membershipChanged) => {
      rings.refreshMember(peerId, membershipChanged)
      if (membershipChanged && members.get(peerId)?.left === false) memberJoined()
    },
    onRefuted: () => {
      stats.refutations++
      void ownMessages.announce()
    }
  })
  const members = membership.members
  const ownMessages = new OwnMessages({
    identity, membership, publisher, eventsTopic: events$, health: () => queries.health(), isLeaving: () => lifecycle.leaving, stats
  })
  const reports = new ReportStore(o.membersMax, Math.max(4 * o.observersPerSubject, 32))
  const alertLog = new AlertLog(o.alertLogMax)
  const eventLog = new EventLog(o.eventLogMax)
  const supervisor = nodeSupervisor(o, deps.clock, deps.logger, deps.schedule)
  const observation = new Observation({
    selfId: id,
    k: o.observersPerSubject,
    supervisor,
    env: {
      clock: deps.clock,
      options: detectionOptions(o),
      probeTimeoutMs: o.probeTimeoutMs,
      checkIntervalMinMs: Math.max(10, Math.round(o.heartbeatIntervalMs / 4)),
      lateCheckToleranceMs: Math.round(o.heartbeatIntervalMs / 2),
      awareness: () => awarenessReading(),
      probe: (peerId, timeoutMs) => deps.transport.probe(peerId, timeoutMs),
      onProbeResult: (ok) => {
        if (ok) awareness.probeAnswered()
      },
      onHeartbeatPhi: deps.instruments === undefined ? undefined : (_peerId, phi) => deps.instruments!.heartbeatPhi(phi),
      onState: (peerId, state, transitions) => {
        observation.recordState(peerId, state)
        for (const t of transitions) {
          const last = lastArrivalMs(state.detector)
          if ((t.to === 'suspect' || t.to === 'dead') && last !== undefined) deps.instruments?.detection(t.to, state.stateSinceMs - last)
        }
        if (transitions.length > 0) {
          view.refresh(peerId, transitions.at(-1)!.reason)
          if (transitions.some((t) => t.to === 'dead' || t.from === 'dead')) rings.schedule()
        }
      }
    }
  })
  const antiEntropy = new AntiEntropy({
    transport: deps.transport,
    random: deps.random,
    logger: deps.logger,
    cluster: o.cluster,
    requestTimeoutMs: o.probeTimeoutMs * 2,
    header: () => identity.nextHeader(),
    entries: () => membership.digest(lifecycle.leaving, (m) => gossipStateOf(m, view.stateOf(m.id))),
    merge: (from, entries) => membership.mergeDigest(from, entries),
    version: () => `${members.version}:${view.version}:${identity.incarnation}:${lifecycle.leaving}`,
    isRunning: () => lifecycle.running
  })
  const connections = new Connections({
    transport: deps.transport,
    members,
    clock: deps.clock,
    random: deps.random,
    logger: deps.logger,
    reconnectIntervalMs: o.reconnectIntervalMs,
    neighbours: () => observation.neighbours(),
    isLive: (m) => rings.isLive(m),
    deadIds: () => view.deadIds(),
    onReconnected: (peerId) => { void antiEntropy.syncWith(peerId) }
  })
  const registrations = new Registrations({
    clock: deps.clock,
    graceMs: o.suspicionTimeoutMs + 2 * o.heartbeatIntervalMs,
    joiner: newJoiner,
    isConnected: (peerId) => deps.transport.isConnected(peerId),
    onMissing: (address) => view.setMissing(address, address),
    onReached: (address, peerId) => {
      view.clearMissing(address)
      void antiEntropy.syncWith(peerId)
    }
  })
  const rings = new RingUpkeep({
    clock: deps.clock,
    transport: deps.transport,
    selfId: id,
    cluster: o.cluster,
    members,
    observation,
    debounceMs: Math.min(100, o.heartbeatIntervalMs / 4),
    isRunning: () => lifecycle.running,
    stateOf: (m) => view.stateOf(m),
    refreshView: (m) => view.refresh(m),
    connectNeighbours: () => connections.connectNeighbours(),
    onRebuild: () => { stats.ringRebuilds++ }
  })
  const suspectWatch = new SuspectWatch({ observation, reports })
  const verdicts = new VerdictExchange({
    selfId: id,
    reports,
    observation,
    admit: (m) => membership.onVerdict(m),
    refreshView: (subject) => rings.refreshMember(subject, false),
    publish: (subject, subjectIncarnation, state, health) => {
      stats.verdictsPublished++
      void publisher.publish(events$, { type: 'verdict', ...identity.nextHeader(), subject, subjectIncarnation, state, subjectStatus: health?.status ?? 'healthy' })
    }
  })
  const view = new LocalView({
    clock: deps.clock,
    selfId: id,
    members,
    reports,
    observersOf: (s) => observation.observersOf(s),
    ownVerdict: (s) => observation.verdictOf(s),
    peerHistoryMax: o.peerHistoryMax,
    suspectReportTtlMs: 4 * o.suspicionTimeoutMs,
    flap: { alarmsMax: o.flapAlarmsMax, windowMs: o.flapWindowMs, holdDownMs: o.flapHoldDownMs, steadyPhiMax: o.flapSteadyPhiMax },
    onChange: (e) => {
      suspectWatch.viewChanged(e)
      verdicts.viewChanged(e)
      if (e.to === 'alive' && (e.from === 'dead' || e.from === 'left')) memberJoined()
      recordPeerChange({ eventLog, events, alertLog }, deps.logger, e)
    }
  })
  const maintenance = new Maintenance({ connections, suspectWatch, rings, view, awareness, membership, reports })
  const operatorForceLeave = new OperatorForceLeave({
    membership, view, spread: forceLeaves, message: forceLeaveMessage,
    publish: (message) => { void publisher.publish(events$, message) }, isRunning: () => lifecycle.running
  })
  const router = new MessageRouter({
    clock: deps.clock, validator, membership, observation, verdicts, alerting, forceLeaves, view, stats,
    isRunning: () => lifecycle.running, onPeerHealth: deps.onPeerHealth
  })
  // Typed by hand: the closures above read it, and inference cannot see through that cycle.
  const lifecycle: NodeLifecycle = new NodeLifecycle({
    transport: deps.transport, clock: deps.clock, options: o, eventsTopic: events$, validator, router, antiEntropy, members, rings,
    heartbeat, maintenance, registrations, alerting, forceLeaves, observation, supervisor, ownMessages, newJoiner
  })
  const queries = new NodeQueries({
    identity, transport: deps.transport, clock: deps.clock, version: deps.version, awareness, lifecycle,
    joinAddresses: o.join, view, peerTrend: deps.peerTrend, health: deps.health
  })

  /** A member joined or came back: what this node spreads by itself is sent again soon. */
  function memberJoined(): void {
    alerting.memberJoined()
    forceLeaves.memberJoined()
  }

  /** What a peer actor reads of this node's awareness before a step. */
  function awarenessReading(): AwarenessReading {
    const now = deps.clock.now()
    return awareness.reading(now, lifecycle.running && heartbeat.overdueMs(now) > o.heartbeatIntervalMs / 2)
  }

  /** A joiner for the --join list (started by the lifecycle) or for one registered address. */
  function newJoiner(options: Pick<JoinerOptions, 'addresses' | 'isConnected' | 'onJoined'>): Joiner {
    return new Joiner({
      ...options,
      retryIntervalMsMin: o.joinRetryIntervalMsMin,
      retryIntervalMsMax: o.joinRetryIntervalMsMax,
      clock: deps.clock,
      random: deps.random,
      logger: deps.logger,
      dial: (address) => deps.transport.dial(address)
    })
  }

  return {
    stats, events, eventLog, alertLog, identity, validator, membership, members, reports, view, supervisor, observation, awareness, rings,
    suspectWatch, registrations, antiEntropy, alerting, forceLeaves, operatorForceLeave, lifecycle, queries
  }
}
