import type { PeerStateOptions } from '../detector/peer-state.ts'
import type { NodeOptions } from './options.ts'

/** The per-peer detector's settings (phi accrual, suspicion, probes), derived from the node's options. */
export function detectionOptions(o: NodeOptions): PeerStateOptions {
  return {
    phi: {
      windowSamplesMax: o.detectorWindowSamplesMax,
      minStdDevMs: o.detectorMinStdDevMs,
      acceptableHeartbeatPauseMs: o.acceptableHeartbeatPauseMs,
      firstHeartbeatEstimateMs: o.firstHeartbeatEstimateMs > 0 ? o.firstHeartbeatEstimateMs : o.heartbeatIntervalMs,
      // Gaps are sampled up to three intervals: one or two lost heartbeats are part of the
      // network's normal behaviour under loss and should widen the margin (no suspicion on
      // every lost packet), while a long outage must not blunt detection for the whole window.
      intervalSampleMaxMs: 3 * o.heartbeatIntervalMs
    },
    phiSuspectThreshold: o.phiSuspectThreshold,
    suspicionTimeoutMs: o.suspicionTimeoutMs,
    suspicionTimeoutMsMin: o.suspicionTimeoutMsMin,
    suspicionTimeoutMsConfirmedMin: o.suspicionTimeoutMsConfirmedMin,
    // A new member needs a connection and a gossip subscription before its first heartbeat.
    firstHeartbeatGraceMs: 2 * o.heartbeatIntervalMs,
    // The transport gives up at probeTimeoutMs; the margin covers the result's way back.
    probeWaitMs: o.probeTimeoutMs + 250,
    probeRetryMs: o.heartbeatIntervalMs,
    okProbesMax: 2,
    // memberlist expects k - 1 confirmations (the subject's other observers) for the minimum.
    confirmationsMax: Math.max(1, o.observersPerSubject - 1)
  }
}
