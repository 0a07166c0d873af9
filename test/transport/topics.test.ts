import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { eventsTopic, heartbeatTopic, heartbeatTopicPrefix, isHeartbeatTopicOf } from '../../src/transport/topics.ts'

describe('gossip topics', () => {
  const prefix = heartbeatTopicPrefix('c1')

  test('a heartbeat topic belongs to its own peer only', () => {
    assert.equal(isHeartbeatTopicOf(heartbeatTopic('c1', 'n1'), prefix, 'n1'), true)
    assert.equal(isHeartbeatTopicOf(heartbeatTopic('c1', 'n11'), prefix, 'n1'), false) // a longer id ending the same way
    assert.equal(isHeartbeatTopicOf(heartbeatTopic('c1', 'n1'), prefix, 'n11'), false)
    assert.equal(isHeartbeatTopicOf(heartbeatTopic('c1', 'xn1'), prefix, 'n1'), false)
    assert.equal(isHeartbeatTopicOf(heartbeatTopic('c2', 'n1'), prefix, 'n1'), false) // another cluster's
    assert.equal(isHeartbeatTopicOf(eventsTopic('c1'), prefix, 'n1'), false)
    assert.equal(isHeartbeatTopicOf(`${prefix}n1/extra`, prefix, 'extra'), false)
  })
})
