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
      // The gap cap (heartbeatGapIntervalsMax, 3 by default: see its comment in the schema).
      intervalSampleMaxMs: o.heartbeatGapIntervalsMax * o.heartbeatIntervalMs
    },
    phiSuspectThreshold: o.phiSuspectThreshold,
    suspicionTimeoutMs: o.suspicionTimeoutMs,
    suspicionTimeoutMsMin: o.suspicionTimeoutMsMin,
    suspicionTimeoutMsConfirmedMin: o.suspicionTimeoutMsConfirmedMin,
    firstHeartbeatGraceMs: o.firstHeartbeatGraceIntervals * o.heartbeatIntervalMs,
    // The transport gives up at probeTimeoutMs; the margin covers the result's way back.
    probeWaitMs: o.probeTimeoutMs + o.probeResultMarginMs,
    probeRetryMs: o.heartbeatIntervalMs,
    okProbesMax: o.okProbesMax,
    // memberlist expects k - 1 confirmations (the subject's other observers) for the minimum.
    confirmationsMax: Math.max(1, o.observersPerSubject - 1)
  }
}
