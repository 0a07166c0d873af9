import type { WireMessage } from './codec.ts'

/**
 * How many gossip messages a receiver takes from one sender, per class of message, before it
 * drops the rest at the first hop (ignored: not delivered, not forwarded, counted as
 * `rate-limited`). The budgets are sized from what an honest member can send, so they never bite
 * one and bound what a compromised member (which holds a valid key) can make every receiver do:
 *
 * - heartbeat: an honest member sends one per heartbeatIntervalMs on its own topic, and skips the
 *   missed beats after a pause instead of sending them at once (node/heartbeat-schedule.ts). The
 *   budget is twice that rate, with a burst of HEARTBEAT_BURST for the copies a receiver finds
 *   queued after its own stall.
 * - membership (verdict, record, join, leave): an honest member publishes a verdict when its own
 *   opinion of one of its subjects changes, and it has about k = observersPerSubject subjects
 *   (k hash rings). The worst honest burst is one node cut off from all of them at once (suspect,
 *   then dead, each subject) plus its own record after a refutation: 4k + 8 at once, refilled at
 *   4k per heartbeat interval.
 * - alerting (alerting marks and silences, force-leave): 10 a second, burst 20; the sender paces
 *   itself below that (node/alerting-gossip.ts).
 *
 * Anti-entropy digests never travel by gossip (they are a request/response protocol, bounded by
 * the membership step's digest budget), so they have no class here.
 */
export type RateClass = 'heartbeat' | 'membership' | 'alerting'
export const RATE_CLASSES: readonly RateClass[] = ['heartbeat', 'membership', 'alerting']

export interface RateBudget {
  perSecond: number
  burst: number
}

export type RateBudgets = Record<RateClass, RateBudget>

/** Heartbeats one receiver takes from one sender at once (see above). */
export const HEARTBEAT_BURST = 10
/** Alerting messages per second from one sender, and their burst (the sender paces itself under these). */
export const ALERTING_PER_SECOND = 10
export const ALERTING_BURST = 20

export function receiveBudgets(o: { heartbeatIntervalMs: number; observersPerSubject: number }): RateBudgets {
  const perInterval = 1000 / o.heartbeatIntervalMs
  const k = o.observersPerSubject
  return {
    heartbeat: { perSecond: 2 * perInterval, burst: HEARTBEAT_BURST },
    membership: { perSecond: 4 * k * perInterval, burst: 4 * k + 8 },
    alerting: { perSecond: ALERTING_PER_SECOND, burst: ALERTING_BURST }
  }
}

/** The budget a message draws on; undefined for the types that never come by gossip. */
export function rateClassOf(type: WireMessage['type']): RateClass | undefined {
  switch (type) {
    case 'heartbeat': return 'heartbeat'
    case 'verdict': case 'record': case 'join': case 'leave': return 'membership'
    case 'alerting': case 'force-leave': return 'alerting'
    default: return undefined
  }
}
