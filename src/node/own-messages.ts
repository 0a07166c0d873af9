import type { HealthSummary, RecordMessage } from '../transport/codec.ts'
import { heartbeatTopic } from '../transport/topics.ts'
import type { Identity } from './identity.ts'
import type { Membership } from './membership.ts'
import type { Publisher } from './publisher.ts'

/**
 * What this node says about itself: its heartbeat, on its own heartbeat topic, carrying its
 * health; and its signed record, on the events topic, which announces it (on start, after
 * joining, after a refutation) and, once it is leaving, says `left`. Fire and forget, through the
 * Publisher.
 */
export interface OwnMessagesDeps {
  identity: Identity
  membership: Pick<Membership, 'ownRecord'>
  publisher: Publisher
  /** The cluster's events topic. */
  eventsTopic: string
  /** This node's health, as its heartbeats carry it. */
  health(): HealthSummary
  /** Set while stopping with a leave: the record says `left`. */
  isLeaving(): boolean
  stats: { heartbeatsSent: number }
}

export class OwnMessages {
  private readonly deps: OwnMessagesDeps

  constructor(deps: OwnMessagesDeps) {
    this.deps = deps
  }

  heartbeat(): void {
    const { identity } = this.deps
    void this.deps.publisher.publish(heartbeatTopic(identity.cluster, identity.id), { type: 'heartbeat', ...identity.nextHeader(), health: this.deps.health() })
    this.deps.stats.heartbeatsSent++
  }

  /** Publishes this node's signed record (resolves once handed to the transport). */
  announce(): Promise<void> {
    return this.deps.publisher.publish(this.deps.eventsTopic, this.record())
  }

  private record(): RecordMessage {
    const r = this.deps.membership.ownRecord(this.deps.isLeaving())
    return { type: 'record', ...this.deps.identity.nextHeader(), name: r.name, addrs: r.addrs, left: r.left, signature: r.signature }
  }
}
