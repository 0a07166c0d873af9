import type { Membership } from './membership.ts'
import type { Observation } from './observation.ts'
import type { VerdictExchange } from './verdict-exchange.ts'
import type { AlertingGossip } from './alerting-gossip.ts'
import type { ForceLeaveSpread } from './force-leave-spread.ts'
import type { LocalView } from '../view/local-view.ts'
import type { MessageValidator } from '../transport/message-validator.ts'
import type { TransportMessage } from '../transport/types.ts'
import type { HealthSummary } from '../transport/codec.ts'
import type { SenderStanding } from '../membership/trust.ts'
import type { Clock } from '../runtime/clock.ts'

export interface MessageRouterDeps {
  clock: Clock
  validator: MessageValidator
  membership: Membership
  observation: Observation
  verdicts: VerdictExchange
  alerting: AlertingGossip
  forceLeaves: ForceLeaveSpread
  view: LocalView
  stats: { heartbeatsReceived: number }
  isRunning: () => boolean
  onPeerHealth?: (peerId: string, health: HealthSummary, atMs: number) => void
}

/**
 * Sends each decoded gossip message once to the owner of its type: what a member may be
 * (membership), what its actor observes (observation), verdicts (the verdict exchange), alerting
 * and force-leaves. Digests and checksums arrive by anti-entropy's own protocol, not here.
 */
export class MessageRouter {
  private readonly deps: MessageRouterDeps

  constructor(deps: MessageRouterDeps) {
    this.deps = deps
  }

  readonly onMessage = (msg: TransportMessage): void => {
    const d = this.deps
    if (!d.isRunning()) return
    const m = d.validator.messageOf(msg)
    if (m === undefined) return
    const now = d.clock.now()
    switch (m.type) {
      case 'heartbeat': {
        d.stats.heartbeatsReceived++
        d.membership.onHeartbeat(m.sender, m.incarnation, now)
        d.observation.send(m.sender, { type: 'heartbeat', incarnation: m.incarnation, seq: m.seq, health: m.health })
        d.onPeerHealth?.(m.sender, m.health, now)
        break
      }
      case 'record':
        d.membership.onRecord(m)
        this.announced(m.sender, m.incarnation, m.left)
        break
      case 'join':
        d.membership.onOwn({ id: m.sender, incarnation: m.incarnation, left: false, name: m.name, addrs: m.addrs })
        this.announced(m.sender, m.incarnation, false)
        break
      case 'leave':
        d.membership.onOwn({ id: m.sender, incarnation: m.incarnation, left: true })
        this.announced(m.sender, m.incarnation, true)
        break
      case 'verdict':
        d.verdicts.received(m, now)
        break
      case 'alerting':
        if (d.membership.onAlerting(m.sender, this.senderStanding(m.sender))) d.alerting.received(m)
        break
      case 'force-leave': {
        const subjectDead = d.view.stateOf(m.subject) === 'dead'
        if (d.membership.onForceLeave(m, this.senderStanding(m.sender), subjectDead)) {
          d.view.refresh(m.subject, `force-left by an operator at ${d.membership.members.get(m.sender)?.name ?? m.sender}`)
          d.forceLeaves.taken(m.subject)
        }
        break
      }
      case 'digest':
      case 'signed-digest':
      case 'checksum':
        break
    }
  }

  /** What this node holds of a message's sender, for the trust rules. */
  private senderStanding(id: string): SenderStanding {
    const m = this.deps.membership.members.get(id)
    if (m === undefined) return 'unknown'
    return m.left || this.deps.view.stateOf(id) === 'dead' ? 'gone' : 'live'
  }

  /** A member announced itself (join or leave): tell its actor, when this node observes it. */
  private announced(peerId: string, incarnation: number, left: boolean): void {
    const m = this.deps.membership.members.get(peerId)
    if (m === undefined || m.incarnation !== incarnation || m.left !== left) return
    this.deps.observation.send(peerId, { type: left ? 'leave' : 'join', incarnation })
    if (left) this.deps.view.refresh(peerId, 'announced a graceful leave')
  }
}
