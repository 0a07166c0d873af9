import type { Config } from '../config/schema.ts'

/** The options a ClusterNode reads: the agent's config minus what only the shell uses. */
export type NodeOptions = Pick<Config,
  | 'name' | 'cluster' | 'join' | 'heartbeatIntervalMs' | 'phiSuspectThreshold' | 'detectorWindowSamplesMax'
  | 'detectorMinStdDevMs' | 'acceptableHeartbeatPauseMs' | 'firstHeartbeatEstimateMs' | 'suspicionTimeoutMs'
  | 'suspicionTimeoutMsMin' | 'suspicionTimeoutMsConfirmedMin' | 'probeTimeoutMs' | 'flapAlarmsMax' | 'flapWindowMs' | 'flapHoldDownMs' | 'observersPerSubject' | 'antiEntropyIntervalMs'
  | 'joinRetryIntervalMsMin' | 'joinRetryIntervalMsMax' | 'awarenessMax' | 'eventLoopLagMsMax' | 'reconnectIntervalMs' | 'reapAfterMs'
  | 'incarnationAheadMax' | 'digestNewMembersMax' | 'refutationIntervalMsMin'
  | 'mailboxLengthMax' | 'messageBytesMax' | 'membersMax' | 'peerHistoryMax' | 'alertLogMax' | 'eventLogMax'>
