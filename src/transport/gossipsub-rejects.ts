/**
 * Gossipsub's own rejects, counted. @libp2p/gossipsub drops a message that fails its checks
 * (a bad signature under StrictSign, a missing seqno, a from field that is not a peer id, a
 * blacklisted sender) before our topic validator ever sees it, and reports that only through its
 * optional metrics hook: `metricsRegister` in its options, a factory of gauges, histograms and
 * avg-min-max series, of which it creates ~100. This register keeps the few that count a drop
 * (messages received invalid, by reason; RPC decode and stream errors) and makes the rest cheap
 * no-ops, so /metrics shows gossipsub's rejects without carrying its whole metric set.
 */
import type { MetricsRegister } from '@libp2p/gossipsub/metrics'

/**
 * Why gossipsub dropped a message (its RejectReason, and ValidateError for reason `error`): a
 * fixed set, so they can be label values. Anything a later version adds counts as `other`.
 */
export const GOSSIPSUB_INVALID_REASONS = [
  'invalid_signature', 'invalid_seqno', 'invalid_peerid', 'signature_present', 'seqno_present', 'from_present',
  'transform_failed', 'reject', 'ignore', 'blacklisted', 'other'
] as const
export type GossipsubInvalidReason = (typeof GOSSIPSUB_INVALID_REASONS)[number]

/** RPC-level failures: a frame that did not decode, or an inbound stream that broke. */
export const GOSSIPSUB_RPC_ERRORS = ['recv', 'data', 'read_stream'] as const
export type GossipsubRpcError = (typeof GOSSIPSUB_RPC_ERRORS)[number]

export interface GossipsubRejectStats {
  invalid: Record<GossipsubInvalidReason, number>
  rpcErrors: Record<GossipsubRpcError, number>
}

/** gossipsub's metric names (src/metrics.ts of @libp2p/gossipsub) for what we keep. */
const INVALID = 'gossipsub_msg_received_invalid_total'
const RPC_ERROR_BY_NAME: Readonly<Record<string, GossipsubRpcError>> = {
  gossipsub_rpc_recv_err_count_total: 'recv',
  gossipsub_rpc_data_err_count_total: 'data',
  gossipsub_peer_read_stream_err_count_total: 'read_stream'
}

const noop = (): void => {}

/** A gauge that counts `inc` calls into `add`; set and collect are ignored (nothing reads them). */
function countingGauge(add: (labels: Record<string, string | number> | undefined, value: number) => void): unknown {
  const inc = (labelsOrValue?: Record<string, string | number> | number, value?: number): void => {
    if (typeof labelsOrValue === 'object') add(labelsOrValue, value ?? 1)
    else add(undefined, labelsOrValue ?? 1)
  }
  return { inc, set: noop, addCollect: noop }
}

const IGNORED_GAUGE = { inc: noop, set: noop, addCollect: noop }
const IGNORED_HISTOGRAM = { startTimer: () => noop, observe: noop, reset: noop }
const IGNORED_AVG = { set: noop }

function invalidReason(value: string | number | undefined): GossipsubInvalidReason {
  return (GOSSIPSUB_INVALID_REASONS as readonly unknown[]).includes(value) ? value as GossipsubInvalidReason : 'other'
}

export class GossipsubRejects {
  private readonly counts: GossipsubRejectStats = {
    invalid: Object.fromEntries(GOSSIPSUB_INVALID_REASONS.map((r) => [r, 0])) as Record<GossipsubInvalidReason, number>,
    rpcErrors: Object.fromEntries(GOSSIPSUB_RPC_ERRORS.map((r) => [r, 0])) as Record<GossipsubRpcError, number>
  }

  /** Hand to gossipsub({ metricsRegister, metricsTopicStrToLabel: new Map() }). */
  readonly register: MetricsRegister = {
    gauge: ((config: { name: string }) => {
      if (config.name === INVALID) return countingGauge((labels, value) => { this.counts.invalid[invalidReason(labels?.['error'])] += value })
      const rpc = RPC_ERROR_BY_NAME[config.name]
      if (rpc !== undefined) return countingGauge((_labels, value) => { this.counts.rpcErrors[rpc] += value })
      return IGNORED_GAUGE
    }) as unknown as MetricsRegister['gauge'],
    histogram: (() => IGNORED_HISTOGRAM) as unknown as MetricsRegister['histogram'],
    avgMinMax: (() => IGNORED_AVG) as unknown as MetricsRegister['avgMinMax']
  }

  stats(): GossipsubRejectStats {
    return { invalid: { ...this.counts.invalid }, rpcErrors: { ...this.counts.rpcErrors } }
  }
}
