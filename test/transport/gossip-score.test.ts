import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { GOSSIP_SCORE_THRESHOLDS, INVALID_DECAY, INVALID_WEIGHT, scoredGossipsub, scoredTopics, TOPIC_SCORE_PARAMS } from '../../src/transport/gossip-score.ts'
import { eventsTopic, heartbeatTopic } from '../../src/transport/topics.ts'

/** The score table and the penalty arithmetic gossip-score.ts documents (the real gossipsub run is in libp2p-transport.test.ts). */
describe('gossip peer scoring parameters', () => {
  test('every healthmon topic is scored, with one parameter set; other topics are not', () => {
    const topics = scoredTopics()
    assert.equal(topics[eventsTopic('c1')], TOPIC_SCORE_PARAMS)
    assert.equal(topics[heartbeatTopic('c1', '12D3KooWabc')], TOPIC_SCORE_PARAMS)
    assert.equal(topics['/someone-else/topic'], undefined)
    assert.ok(heartbeatTopic('c2', 'x') in topics)
    assert.deepEqual(Object.keys(topics), [], 'nothing is stored per topic, so churn grows nothing')
  })

  test('only invalid deliveries move the score: 1 costs gossip-threshold, 2 lose gossip, 3 are graylisted for about 20 s', () => {
    const p = TOPIC_SCORE_PARAMS
    assert.deepEqual([p.timeInMeshWeight, p.firstMessageDeliveriesWeight, p.meshMessageDeliveriesWeight, p.meshFailurePenaltyWeight], [0, 0, 0, 0])
    const score = (invalid: number): number => invalid * invalid * INVALID_WEIGHT * p.topicWeight
    const t = GOSSIP_SCORE_THRESHOLDS
    assert.ok(score(1) >= t.gossipThreshold, 'one is not yet below the gossip threshold')
    assert.ok(score(2) < t.gossipThreshold && score(2) >= t.publishThreshold)
    assert.ok(score(3) < t.graylistThreshold)
    // Seconds until 3 (then 10) invalid deliveries decay back above the graylist threshold.
    const graylistedFor = (n: number): number => Math.log(Math.sqrt(t.graylistThreshold / INVALID_WEIGHT) / n) / Math.log(INVALID_DECAY)
    assert.ok(graylistedFor(3) > 15 && graylistedFor(3) < 25, `${graylistedFor(3)} s`)
    assert.ok(graylistedFor(10) > 360 && graylistedFor(10) < 480, `${graylistedFor(10)} s`)
  })

  test('a gossipsub without the scoring internals is refused loudly', () => {
    assert.throws(() => scoredGossipsub({}), /peer scoring cannot be installed/)
    const fake = { score: { params: { topics: {} } }, getScore: () => 0 }
    assert.equal(scoredGossipsub(fake), fake)
  })
})
