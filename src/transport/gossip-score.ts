import { createTopicScoreParams, validateTopicScoreParams, type PeerScoreParams, type PeerScoreThresholds, type TopicScoreParams } from '@libp2p/gossipsub/score'
import { PROTOCOL_PREFIX } from './topics.ts'

/**
 * Gossipsub peer scoring for healthmon's topics: a peer that forwards invalid messages (ones our
 * validator rejects, or ones gossipsub itself rejects: bad signature, bad sequence number...) is
 * penalised, first losing gossip (IHAVE/IWANT) with us, then our publishes, then graylisted (every
 * RPC from it ignored). Nothing else moves the score: the delivery-rate terms (P1-P3b) are off,
 * since our heartbeat topics carry one message a second and a mesh-delivery quota would push an
 * honest but quiet peer below zero and tear the mesh down.
 *
 * Who can be penalised: only a peer that sends us a message every honest validator rejects. Our
 * validator's rejects are deterministic (the same bytes are rejected at every node: forged,
 * malformed, wrong cluster, wrong topic), so an honest member never forwards one; whatever
 * depends on a node's own state (replays, stale incarnations, rate limits, a version or type
 * this node does not know yet) is ignored instead, so no honest forwarder, and no newer agent in
 * a rolling upgrade, is ever penalised (see message-validator.ts).
 *
 * The penalty is P4 = weight x (invalid deliveries)^2, the counter decaying by
 * INVALID_DECAY per second: 1 invalid message costs -10 (at the gossip threshold), 2 cost -40
 * (no gossip), 3 cost -90 (graylisted, for about 20 s; 10 of them, about 7 minutes). A peer
 * that disconnects keeps a negative score for retainScore (gossipsub's default: one hour).
 */
export const INVALID_WEIGHT = -10
export const INVALID_DECAY = 0.997

export const GOSSIP_SCORE_THRESHOLDS: PeerScoreThresholds = {
  gossipThreshold: -10,
  publishThreshold: -50,
  graylistThreshold: -80,
  // Peer exchange is off (doPX unset) and opportunistic grafting needs positive scores, which
  // no term here gives: both thresholds are gossipsub's defaults and never reached.
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 20
}

/** The parameters of every healthmon topic (the events topic and each member's heartbeat topic alike). */
export const TOPIC_SCORE_PARAMS: TopicScoreParams = Object.freeze(createTopicScoreParams({
  topicWeight: 1,
  timeInMeshWeight: 0,
  firstMessageDeliveriesWeight: 0,
  meshMessageDeliveriesWeight: 0,
  meshFailurePenaltyWeight: 0,
  invalidMessageDeliveriesWeight: INVALID_WEIGHT,
  invalidMessageDeliveriesDecay: INVALID_DECAY
}))
validateTopicScoreParams(TOPIC_SCORE_PARAMS)

/** The static part of the score parameters, for gossipsub's options. */
export function gossipScoreParams(ipColocationPenalty: boolean): Partial<PeerScoreParams> {
  // On loopback every peer shares 127.0.0.1, and past 10 peers per IP the colocation penalty
  // (weight x (peers - 10)^2) drives scores below the graylist threshold, emptying the mesh.
  // Weight 0 turns the penalty off for loopback and test clusters.
  return ipColocationPenalty ? {} : { IPColocationFactorWeight: 0 }
}

/**
 * The per-topic table gossipsub reads its topic parameters from. Gossipsub keys it by exact topic
 * name and copies it once at construction, but heartbeat topics come and go with members; a
 * table that answers for any topic under our prefix, installed in place of the copy, scores
 * every one of them with no entry to add on subscribe or (unsafely: gossipsub reads the entry of
 * a topic it holds stats for without a check) remove on unsubscribe, and no growth with churn.
 */
export function scoredTopics(): Record<string, TopicScoreParams> {
  const prefix = `${PROTOCOL_PREFIX}/`
  return new Proxy({}, {
    get: (_target, key) => (typeof key === 'string' && key.startsWith(prefix) ? TOPIC_SCORE_PARAMS : undefined),
    has: (_target, key) => typeof key === 'string' && key.startsWith(prefix)
  })
}

/**
 * What of gossipsub's implementation class this needs: its PeerScore (whose parameters object
 * the scorer reads on every computation) and getScore. The package exports only the pubsub
 * interface, so these are checked at run time: a gossipsub release that changes them fails the
 * agent's start (and the tests) instead of silently scoring nothing.
 */
export interface ScoredGossipsub {
  readonly score: { readonly params: PeerScoreParams }
  getScore(peerId: string): number
}

export function scoredGossipsub(pubsub: object): ScoredGossipsub {
  const g = pubsub as Partial<ScoredGossipsub>
  if (typeof g.getScore !== 'function' || typeof g.score?.params?.topics !== 'object') {
    throw new Error('gossipsub does not expose score.params and getScore: peer scoring cannot be installed (see src/transport/gossip-score.ts)')
  }
  return g as ScoredGossipsub
}

/** Installs scoredTopics() in a gossipsub's score parameters (the object its PeerScore reads). */
export function installTopicScores(pubsub: ScoredGossipsub): void {
  pubsub.score.params.topics = scoredTopics()
}
