/**
 * AgentMetrics over a stand-in node: the exposition passes a third-party Prometheus text-format
 * parser and the format's rules (HELP and TYPE for every family, valid names, fixed label sets,
 * histograms consistent), counters follow their sources at scrape time, instruments observe.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format'
import type { ClusterView, PeerState } from '../../src/api/protocol.ts'
import { API_ROUTE_NAMES } from '../../src/api/routes.ts'
import { emptyRequests, type ApiServerStats } from '../../src/api/stats.ts'
import { AgentMetrics, type NodeSource } from '../../src/metrics/agent-metrics.ts'
import { TRUST_DROP_REASONS, type TrustDropReason } from '../../src/membership/trust.ts'
import { ALERTING_DROP_REASONS, type AlertingDropReason } from '../../src/node/alerting-gossip.ts'
import { DROP_REASONS, type DropReason } from '../../src/transport/message-validator.ts'
import { VIEW } from '../api/fixtures.ts'

function fakeNode() {
  const node = {
    view: VIEW as ClusterView,
    stats: { heartbeatsSent: 10, heartbeatsReceived: 40, verdictsPublished: 2, publishErrors: 0, refutations: 0 },
    antiEntropy: { stats: { syncs: 5, syncErrors: 1 } },
    validator: { dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>, rateLimited: { heartbeat: 0, membership: 0, alerting: 0 }, accepted: 45 },
    supervisor: { stats: { actors: 3, restarts: 0, dropped: 0, stopped: 0, parked: 0, revived: 0 } },
    members: { refused: 0 },
    membership: { dropped: Object.fromEntries(TRUST_DROP_REASONS.map((r) => [r, 0])) as Record<TrustDropReason, number> },
    alertLog: { dropped: 0 },
    alerting: {
      dropped: Object.fromEntries(ALERTING_DROP_REASONS.map((r) => [r, 0])) as Record<AlertingDropReason, number>,
      stats: { messagesSent: 3, updatesReceived: 4, listenerErrors: 0 }
    },
    eventLog: { lastId: 7 },
    events: { listenerErrors: 0 },
    reports: { dropped: 0 },
    clusterView: (): ClusterView => node.view
  }
  return node satisfies NodeSource
}

function apiStats(): ApiServerStats {
  const requests = emptyRequests()
  requests.view['2xx'] = 12
  requests.other['4xx'] = 2
  return { connectionsActive: 1, connectionsTotal: 20, connectionsRejected: 0, connectionsDropped: 0, clientErrors: 1, clientErrorsByKind: { timeout: 0, headers_too_large: 0, malformed: 1, reset: 0 }, errorsByCode: {}, streamsActive: 2, streamsTotal: 3, streamsDropped: 1, viewCacheHits: 4, requests }
}

function setup() {
  const metrics = new AgentMetrics({ info: { cluster: 'test', name: 'node-a', version: '0.1.0' } })
  const node = fakeNode()
  const api = apiStats()
  metrics.attach({ node, api: () => api })
  return { metrics, node, api }
}

const family = (families: ParsedFamily[], name: string): ParsedFamily => {
  const found = families.find((f) => f.name === name)
  assert.ok(found !== undefined, `${name} is exposed`)
  return found
}

const valueOf = (f: ParsedFamily, labels: Record<string, string> = {}): number => {
  const sample = f.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
  assert.ok(sample !== undefined, `${f.name} ${JSON.stringify(labels)}`)
  return Number(sample.value)
}

/** The exposition rules a Prometheus server enforces, checked line by line. */
function checkExposition(text: string): void {
  const help = new Map<string, string>()
  const type = new Map<string, string>()
  const series = new Set<string>()
  const nameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
  for (const line of text.split('\n')) {
    if (line === '') continue
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line)
    if (meta !== null) {
      const [, kind, name, rest] = meta
      assert.match(name!, nameRe, line)
      const map = kind === 'HELP' ? help : type
      assert.ok(!map.has(name!), `one ${kind} line for ${name}`)
      map.set(name!, rest!)
      if (kind === 'TYPE') assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest!), line)
      continue
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line)
    assert.ok(sample !== null, `sample line: ${line}`)
    const [, name, labels = ''] = sample
    // Go's ParseFloat, as Prometheus reads values: numbers, and Inf / NaN in any case.
    assert.ok(/^[+-]?(inf|nan)$/i.test(sample[3]!) || !Number.isNaN(Number(sample[3])), line)
    const base = [name!, name!.replace(/_(bucket|sum|count|total|created)$/, '')].find((n) => type.has(n))
    assert.ok(base !== undefined, `${name} has a TYPE line before its samples`)
    assert.ok(help.has(base), `${base} has a HELP line`)
    for (const pair of labels.slice(1, -1).split(/,(?=[a-zA-Z_])/).filter((p) => p !== '')) assert.match(pair, /^[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"$/, line)
    assert.ok(!series.has(name! + labels), `one sample per series: ${name}${labels}`)
    series.add(name! + labels)
  }
}

describe('AgentMetrics', () => {
  test('the exposition parses, follows the format rules and has the healthmon, process and nodejs sets', async () => {
    const { metrics } = setup()
    const { contentType, text } = await metrics.scrape()
    assert.equal(contentType, 'text/plain; version=0.0.4; charset=utf-8')
    checkExposition(text)
    const families = parsePrometheusTextFormat(text)
    const types = Object.fromEntries(families.map((f) => [f.name, f.type]))
    for (const [name, t] of Object.entries({
      healthmon_info: 'GAUGE',
      healthmon_peers: 'GAUGE',
      healthmon_node_status: 'GAUGE',
      healthmon_awareness_score: 'GAUGE',
      healthmon_heartbeats_received_total: 'COUNTER',
      healthmon_heartbeats_sent_total: 'COUNTER',
      healthmon_gossip_messages_rejected_total: 'COUNTER',
      healthmon_membership_rejected_total: 'COUNTER',
      healthmon_verdicts_published_total: 'COUNTER',
      healthmon_heartbeat_arrival_phi: 'HISTOGRAM',
      healthmon_detection_latency_seconds: 'HISTOGRAM',
      healthmon_mailbox_dropped_messages_total: 'COUNTER',
      healthmon_actor_restarts_total: 'COUNTER',
      healthmon_members_refused_total: 'COUNTER',
      healthmon_api_requests_total: 'COUNTER',
      healthmon_api_event_streams: 'GAUGE',
      process_cpu_seconds_total: 'COUNTER',
      process_resident_memory_bytes: 'GAUGE',
      nodejs_eventloop_lag_seconds: 'GAUGE',
      nodejs_heap_size_used_bytes: 'GAUGE'
    })) assert.equal(types[name], t, name)
    for (const f of families) {
      assert.ok(f.help.length > 10, `${f.name} has a real HELP text`)
      if (f.name.startsWith('healthmon_')) {
        if (f.type === 'COUNTER') assert.match(f.name, /_total$/)
        assert.doesNotMatch(f.name, /_ms|milliseconds/, 'base units')
      }
    }
  })

  test('labels take only fixed values: peer states, drop reasons, routes x status classes, stages', async () => {
    const { metrics } = setup()
    const families = parsePrometheusTextFormat((await metrics.scrape()).text)
    const labelValues = (name: string, label: string) => family(families, name).metrics.map((m) => m.labels?.[label])
    assert.deepEqual(labelValues('healthmon_peers', 'state'), ['alive', 'suspect', 'dead', 'left', 'missing'])
    assert.deepEqual(labelValues('healthmon_node_status', 'status'), ['healthy', 'degraded', 'unhealthy'])
    assert.deepEqual(labelValues('healthmon_gossip_messages_rejected_total', 'reason'), [...DROP_REASONS])
    assert.deepEqual(labelValues('healthmon_membership_rejected_total', 'reason'), [...TRUST_DROP_REASONS])
    assert.deepEqual(labelValues('healthmon_alerting_gossip_dropped_total', 'reason'), [...ALERTING_DROP_REASONS])
    assert.deepEqual(labelValues('healthmon_alerting_gossip_messages_total', 'direction'), ['sent', 'received'])
    const requests = family(families, 'healthmon_api_requests_total').metrics
    assert.equal(requests.length, API_ROUTE_NAMES.length * 3)
    // Nothing names a peer: the series count does not grow with the cluster.
    const text = (await metrics.scrape()).text
    for (const peer of VIEW.peers) assert.ok(!text.includes(peer.id) && !text.includes(peer.name), peer.name)
  })

  test('gauges and counters read their sources at scrape time; counters only ever add the delta', async () => {
    const { metrics, node, api } = setup()
    let families = parsePrometheusTextFormat((await metrics.scrape()).text)
    const states: Record<string, number> = {}
    for (const s of ['alive', 'suspect', 'dead', 'left', 'missing'] as PeerState[]) states[s] = valueOf(family(families, 'healthmon_peers'), { state: s })
    assert.deepEqual(states, { alive: 1, suspect: 1, dead: 1, left: 1, missing: 1 })
    assert.equal(valueOf(family(families, 'healthmon_heartbeats_received_total')), 40)
    assert.equal(valueOf(family(families, 'healthmon_api_requests_total'), { route: 'view', status_class: '2xx' }), 12)
    assert.equal(valueOf(family(families, 'healthmon_api_event_streams')), 2)
    assert.equal(valueOf(family(families, 'healthmon_node_status'), { status: 'healthy' }), 1)

    node.stats.heartbeatsReceived = 55
    node.validator.dropped['sender-mismatch'] = 3
    node.membership.dropped['not-observer'] = 4
    node.membership.dropped['force-leave-live'] = 6
    node.validator.dropped['rate-limited'] = 7
    node.alerting.dropped['silence-invalid'] = 8
    node.alerting.stats.listenerErrors = 1
    node.supervisor.stats = { actors: 3, restarts: 2, dropped: 9, stopped: 1, parked: 1, revived: 4 }
    node.view = { ...VIEW, self: { ...VIEW.self, status: 'degraded', awareness: 2 }, peers: VIEW.peers.map((p) => ({ ...p, state: 'alive' })) }
    api.requests.view['2xx'] = 20
    families = parsePrometheusTextFormat((await metrics.scrape()).text)
    assert.equal(valueOf(family(families, 'healthmon_heartbeats_received_total')), 55)
    assert.equal(valueOf(family(families, 'healthmon_gossip_messages_rejected_total'), { reason: 'sender-mismatch' }), 3)
    assert.equal(valueOf(family(families, 'healthmon_membership_rejected_total'), { reason: 'not-observer' }), 4)
    assert.equal(valueOf(family(families, 'healthmon_membership_rejected_total'), { reason: 'force-leave-live' }), 6)
    assert.equal(valueOf(family(families, 'healthmon_gossip_messages_rejected_total'), { reason: 'rate-limited' }), 7)
    assert.equal(valueOf(family(families, 'healthmon_alerting_gossip_dropped_total'), { reason: 'silence-invalid' }), 8)
    assert.equal(valueOf(family(families, 'healthmon_alerting_gossip_messages_total'), { direction: 'received' }), 4)
    assert.equal(valueOf(family(families, 'healthmon_alerting_listener_errors_total')), 1)
    assert.equal(valueOf(family(families, 'healthmon_mailbox_dropped_messages_total')), 9)
    assert.equal(valueOf(family(families, 'healthmon_actor_restarts_total'), { kind: 'failure' }), 2)
    assert.equal(valueOf(family(families, 'healthmon_actor_restarts_total'), { kind: 'cooldown' }), 4)
    assert.equal(valueOf(family(families, 'healthmon_actors_stopped')), 1)
    assert.equal(valueOf(family(families, 'healthmon_api_requests_total'), { route: 'view', status_class: '2xx' }), 20)
    assert.equal(valueOf(family(families, 'healthmon_peers'), { state: 'alive' }), 5)
    assert.equal(valueOf(family(families, 'healthmon_node_status'), { status: 'degraded' }), 1)
    assert.equal(valueOf(family(families, 'healthmon_awareness_score')), 2)
    // A scrape with no change adds nothing.
    families = parsePrometheusTextFormat((await metrics.scrape()).text)
    assert.equal(valueOf(family(families, 'healthmon_heartbeats_received_total')), 55)
  })

  test('instruments feed the phi and detection-latency histograms, in seconds', async () => {
    const { metrics } = setup()
    metrics.instruments.heartbeatPhi(0.3)
    metrics.instruments.heartbeatPhi(9)
    metrics.instruments.detection('suspect', 1800)
    metrics.instruments.detection('dead', 4200)
    const text = (await metrics.scrape()).text
    const sample = (line: string): number => Number(new RegExp(`^${line.replace(/[{}"+.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1])
    assert.equal(sample('healthmon_heartbeat_arrival_phi_count'), 2)
    assert.equal(sample('healthmon_heartbeat_arrival_phi_bucket{le="0.5"}'), 1)
    assert.equal(sample('healthmon_heartbeat_arrival_phi_bucket{le="13"}'), 2)
    assert.equal(sample('healthmon_detection_latency_seconds_sum{stage="suspect"}'), 1.8)
    assert.equal(sample('healthmon_detection_latency_seconds_bucket{le="2",stage="suspect"}'), 1)
    assert.equal(sample('healthmon_detection_latency_seconds_bucket{le="4",stage="dead"}'), 0)
    assert.equal(sample('healthmon_detection_latency_seconds_bucket{le="5",stage="dead"}'), 1)
  })

  test('each agent has its own registry', async () => {
    const first = setup()
    const second = setup()
    first.metrics.instruments.heartbeatPhi(1)
    assert.match((await first.metrics.scrape()).text, /^healthmon_heartbeat_arrival_phi_count 1$/m)
    assert.match((await second.metrics.scrape()).text, /^healthmon_heartbeat_arrival_phi_count 0$/m)
  })
})
