import { hostname } from 'node:os'
import type { Config, ConfigInput } from './schema.ts'
import { ALERT_CONFIG_DEFAULTS } from '../alerts/settings.ts'

/** Defaults for every option: the `lan` profile, tuned for a data-centre LAN with 1 s heartbeats. */
export function defaultConfig(): Config {
  return {
    profile: 'lan',
    name: hostname(),
    cluster: 'default',
    listen: ['/ip4/127.0.0.1/tcp/7946'],
    join: [],
    socket: '',
    adminSocket: '',
    socketGroup: '',
    dataDir: '',
    clusterKeyFile: '',
    allowOpenCluster: false,
    httpListen: '',
    httpTokenFile: '',
    httpAllowUnauthenticated: false,
    allowPeers: [],
    logLevel: 'info',
    heartbeatIntervalMs: 1000,
    phiSuspectThreshold: 8,
    detectorWindowSamplesMax: 100,
    detectorMinStdDevMs: 100,
    acceptableHeartbeatPauseMs: 500,
    firstHeartbeatEstimateMs: 0,
    suspicionTimeoutMs: 3000,
    suspicionTimeoutMsMin: 500,
    suspicionTimeoutMsConfirmedMin: 1250,
    probeTimeoutMs: 1000,
    probeResultMarginMs: 250,
    okProbesMax: 2,
    heartbeatGapIntervalsMax: 3,
    firstHeartbeatGraceIntervals: 2,
    flapAlarmsMax: 2,
    flapWindowMs: 120_000,
    flapHoldDownMs: 45_000,
    flapSteadyPhiMax: 3,
    observersPerSubject: 8,
    antiEntropyIntervalMs: 5000,
    joinRetryIntervalMsMin: 500,
    joinRetryIntervalMsMax: 30_000,
    awarenessMax: 8,
    eventLoopLagMsMax: 250,
    reconnectIntervalMs: 30_000,
    reapAfterMs: 24 * 3_600_000,
    incarnationAheadMax: 2,
    digestNewMembersMax: 256,
    refutationIntervalMsMin: 1000,
    mailboxLengthMax: 256,
    actorRestartsMax: 5,
    actorRestartWindowMs: 60_000,
    actorReviveAfterMsMin: 30_000,
    actorReviveAfterMsMax: 300_000,
    messageBytesMax: 65_536,
    membersMax: 10_000,
    peerHistoryMax: 50,
    alertLogMax: 1000,
    eventLogMax: 10_000,
    inboundConnectionsPerHostPerSecondMax: 5,
    gossipIpColocationPenalty: true,
    checks: [],
    checkRunsConcurrentMax: 4,
    checkOutputBytesMax: 4096,
    checkHttpBodyBytesMax: 65_536,
    expect: [],
    healthSampleIntervalMs: 10_000,
    healthDiskPaths: [],
    diskFreePercentWarning: 10,
    diskFreePercentCritical: 5,
    memoryUsedPercentWarning: 90,
    memoryUsedPercentCritical: 97,
    loadPerCoreWarning: 2,
    loadPerCoreCritical: 4,
    historyEnabled: true,
    historyFlushIntervalMs: 30_000,
    historySeriesMax: 1000,
    ...ALERT_CONFIG_DEFAULTS
  }
}

/**
 * Defaults of each entry of `checks` (src/checks/check-config.ts documents every key): Consul's
 * 10 s timeout and immediate status changes, Nagios' service flap thresholds (20 % / 5 %).
 */
export const CHECK_DEFAULTS = {
  intervalMs: 30_000,
  timeoutMs: 10_000,
  failuresBeforeCritical: 0,
  successesBeforePassing: 0,
  flapThresholdHighPercent: 20,
  flapThresholdLowPercent: 5
} as const

/** Presets override only what differs from `lan`. */
export const PROFILES: Record<Config['profile'], ConfigInput> = {
  lan: {},
  /** Higher and more variable latency: slower heartbeats, wider margins, longer suspicion. */
  wan: {
    heartbeatIntervalMs: 2000,
    detectorMinStdDevMs: 400,
    suspicionTimeoutMs: 8000,
    suspicionTimeoutMsMin: 2000,
    suspicionTimeoutMsConfirmedMin: 3000,
    probeTimeoutMs: 3000,
    antiEntropyIntervalMs: 15_000
  },
  /**
   * Many agents on one host over 127.0.0.1: ephemeral ports, no IP-colocation penalty, no
   * per-host inbound connection cap, quicker anti-entropy so small test clusters converge fast.
   */
  'local-test': {
    listen: ['/ip4/127.0.0.1/tcp/0'],
    antiEntropyIntervalMs: 1000,
    reconnectIntervalMs: 2000,
    joinRetryIntervalMsMin: 100,
    joinRetryIntervalMsMax: 2000,
    inboundConnectionsPerHostPerSecondMax: 10_000,
    gossipIpColocationPenalty: false,
    // Test agents share one (often overloaded) host: its load, memory and disks say nothing
    // about an agent, so resource thresholds never change a test agent's status.
    diskFreePercentWarning: 0,
    diskFreePercentCritical: 0,
    memoryUsedPercentWarning: 100,
    memoryUsedPercentCritical: 100,
    loadPerCoreWarning: 1000,
    loadPerCoreCritical: 1000,
    // ...nor raise the resource alerts (an alertRules list of one's own replaces this one).
    alertRules: ['DiskSpaceLow', 'DiskWillFillSoon', 'MemoryHigh', 'LoadHigh', 'EventLoopLagging'].map((name) => ({ name, disabled: true }))
  }
}
