/**
 * Every drop counter reaches /metrics (issue 11): each source the agent counts a drop in, given
 * a distinct value here, shows up in one scrape under its name and label; and gossipsub's own
 * rejects are captured through its real metrics hook (getMetrics from @libp2p/gossipsub), the
 * way the transport wires it.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { getMetrics } from '@libp2p/gossipsub/metrics'
import parsePrometheusTextFormat from 'parse-prometheus-text-format'
import { emptyClientErrors, emptyRequests, type ApiServerStats } from '../../src/api/stats.ts'
import type { ClusterView } from '../../src/api/protocol.ts'
import { TRUST_DROP_REASONS, type TrustDropReason } from '../../src/membership/trust.ts'
import { AgentMetrics, type NodeSource } from '../../src/metrics/agent-metrics.ts'
import { GossipsubRejects } from '../../src/transport/gossipsub-rejects.ts'
import type { Libp2pTransportStats } from '../../src/transport/libp2p-transport.ts'
import { DROP_REASONS, type DropReason } from '../../src/transport/message-validator.ts'
import { VIEW } from '../api/fixtures.ts'

describe('gossipsub rejects through its metrics hook', () => {
  test('invalid messages by reason and RPC errors are counted; every other metric is a no-op', () => {
    const rejects = new GossipsubRejects()
    const metrics = getMetrics(rejects.register, new Map(), { gossipPromiseExpireSec: 3, behaviourPenaltyThreshold: 6, maxMeshMessageDeliveriesWindowSec: 2 })
    metrics.onMsgRecvInvalid('t', { reason: 'error', error: 'invalid_signature' } as never)
    metrics.onMsgRecvInvalid('t', { reason: 'error', error: 'invalid_signature' } as never)
    metrics.onMsgRecvInvalid('t', { reason: 'reject' } as never)
    metrics.onMsgRecvInvalid('t', { reason: 'error', error: 'something_new' } as never)
    metrics.onRpcRecvError()
    metrics.onRpcDataError()
    metrics.onPeerReadStreamError()
    // Calls on the metrics we do not keep must not throw.
    metrics.onMsgRecvPreValidation('t')
    metrics.onPrevalidationResult('t', 'valid' as never)
    metrics.mcacheSize.set(3)
    const stats = rejects.stats()
    assert.equal(stats.invalid.invalid_signature, 2)
    assert.equal(stats.invalid.reject, 1)
    assert.equal(stats.invalid.other, 1)
    assert.deepEqual(stats.rpcErrors, { recv: 1, data: 1, read_stream: 1 })
  })
})

describe('a scrape carries every drop counter', () => {
  test('each source, with a distinct value, appears under its name and label', async () => {
    const validatorDropped = Object.fromEntries(DROP_REASONS.map((r, i) => [r, 100 + i])) as Record<DropReason, number>
    const trustDropped = Object.fromEntries(TRUST_DROP_REASONS.map((r, i) => [r, 200 + i])) as Record<TrustDropReason, number>
    const node: NodeSource = {
      stats: { heartbeatsSent: 0, heartbeatsReceived: 0, verdictsPublished: 0, publishErrors: 7, refutations: 0 },
      antiEntropy: { stats: { syncs: 0, syncErrors: 8 } },
      validator: { dropped: validatorDropped, rateLimited: { heartbeat: 33, membership: 34, alerting: 35 }, accepted: 0 },
      supervisor: { stats: { actors: 1, restarts: 11, dropped: 12, stopped: 13, parked: 14, revived: 15 } },
      members: { refused: 16 },
      membership: { dropped: trustDropped },
      alertLog: { dropped: 17 },
      eventLog: { lastId: 0 },
      events: { listenerErrors: 18 },
      reports: { dropped: 19 },
      clusterView: (): ClusterView => VIEW
    }
    const api: ApiServerStats = {
      connectionsActive: 0, connectionsTotal: 0, connectionsRejected: 20, connectionsDropped: 1, clientErrors: 22,
      clientErrorsByKind: { ...emptyClientErrors(), timeout: 23, headers_too_large: 24, malformed: 25 },
      errorsByCode: { ADMIN_SOCKET_REQUIRED: 26, PAYLOAD_TOO_LARGE: 27 },
      streamsActive: 0, streamsTotal: 0, streamsDropped: 28, viewCacheHits: 0, requests: emptyRequests()
    }
    const rejects = new GossipsubRejects()
    getMetrics(rejects.register, new Map(), { gossipPromiseExpireSec: 3, behaviourPenaltyThreshold: 6, maxMeshMessageDeliveriesWindowSec: 2 })
      .onMsgRecvInvalid('t', { reason: 'error', error: 'invalid_signature' } as never)
    const transport: Libp2pTransportStats = { oversizeRejected: 30, validatorErrors: 31, listenerErrors: 32, gossipsub: rejects.stats(), peersBelowGossipThreshold: 36, peersGraylisted: 37 }
    const metrics = new AgentMetrics({ info: { cluster: 'c', name: 'n', version: '0' } })
    metrics.attach({ node, api: () => api, transport: () => transport })
    const families = parsePrometheusTextFormat((await metrics.scrape()).text)
    const value = (name: string, labels: Record<string, string> = {}): number => {
      const family = families.find((f) => f.name === name)
      assert.ok(family !== undefined, `${name} is on /metrics`)
      assert.ok(family.help.length > 20, `${name} has help text`)
      const sample = family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
      assert.ok(sample !== undefined, `${name}${JSON.stringify(labels)} is on /metrics`)
      return Number(sample.value)
    }
    const expected: [string, Record<string, string>, number][] = [
      // The validator's too-large plus the transport's oversize refusals, on one series.
      ['healthmon_gossip_messages_rejected_total', { reason: 'too-large' }, validatorDropped['too-large'] + 30],
      ...DROP_REASONS.filter((r) => r !== 'too-large').map((reason): [string, Record<string, string>, number] => ['healthmon_gossip_messages_rejected_total', { reason }, validatorDropped[reason]]),
      ...TRUST_DROP_REASONS.map((reason): [string, Record<string, string>, number] => ['healthmon_membership_rejected_total', { reason }, trustDropped[reason]]),
      ['healthmon_gossip_rate_limited_total', { class: 'heartbeat' }, 33],
      ['healthmon_gossip_rate_limited_total', { class: 'membership' }, 34],
      ['healthmon_gossip_rate_limited_total', { class: 'alerting' }, 35],
      ['healthmon_gossipsub_messages_invalid_total', { reason: 'invalid_signature' }, 1],
      ['healthmon_gossipsub_peers_penalised', { below: 'gossip' }, 36],
      ['healthmon_gossipsub_peers_penalised', { below: 'graylist' }, 37],
      ['healthmon_gossipsub_rpc_errors_total', { kind: 'recv' }, 0],
      ['healthmon_gossip_validator_errors_total', {}, 31],
      ['healthmon_listener_errors_total', { source: 'transport' }, 32],
      ['healthmon_listener_errors_total', { source: 'events' }, 18],
      ['healthmon_reports_dropped_total', {}, 19],
      ['healthmon_publish_errors_total', {}, 7],
      ['healthmon_anti_entropy_exchanges_total', { result: 'error' }, 8],
      ['healthmon_mailbox_dropped_messages_total', {}, 12],
      ['healthmon_actor_restarts_total', { kind: 'failure' }, 11],
      ['healthmon_actor_restarts_total', { kind: 'cooldown' }, 15],
      ['healthmon_actors_stopped_total', {}, 13],
      ['healthmon_actors_stopped', {}, 14],
      ['healthmon_members_refused_total', {}, 16],
      ['healthmon_alert_log_dropped_total', {}, 17],
      ['healthmon_api_connections_rejected_total', {}, 21],
      ['healthmon_api_client_errors_total', {}, 22],
      ['healthmon_api_client_errors_by_kind_total', { kind: 'timeout' }, 23],
      ['healthmon_api_client_errors_by_kind_total', { kind: 'headers_too_large' }, 24],
      ['healthmon_api_client_errors_by_kind_total', { kind: 'malformed' }, 25],
      ['healthmon_api_errors_total', { code: 'ADMIN_SOCKET_REQUIRED' }, 26],
      ['healthmon_api_errors_total', { code: 'PAYLOAD_TOO_LARGE' }, 27],
      ['healthmon_api_event_streams_dropped_total', {}, 28]
    ]
    for (const [name, labels, want] of expected) assert.equal(value(name, labels), want, `${name}${JSON.stringify(labels)}`)
  })
})
