import type { Config } from '../config/schema.ts'

/** The options a ClusterNode reads: the agent's config minus what only the shell uses. */
export type NodeOptions = Pick<Config,
  | 'name' | 'cluster' | 'join' | 'heartbeatIntervalMs' | 'phiSuspectThreshold' | 'detectorWindowSamplesMax'
  | 'detectorMinStdDevMs' | 'acceptableHeartbeatPauseMs' | 'firstHeartbeatEstimateMs' | 'suspicionTimeoutMs'
  | 'suspicionTimeoutMsMin' | 'suspicionTimeoutMsConfirmedMin' | 'probeTimeoutMs' | 'probeResultMarginMs' | 'okProbesMax'
  | 'heartbeatGapIntervalsMax' | 'firstHeartbeatGraceIntervals' | 'flapAlarmsMax' | 'flapWindowMs' | 'flapHoldDownMs' | 'flapSteadyPhiMax' | 'observersPerSubject' | 'antiEntropyIntervalMs'
  | 'joinRetryIntervalMsMin' | 'joinRetryIntervalMsMax' | 'awarenessMax' | 'eventLoopLagMsMax' | 'reconnectIntervalMs' | 'reapAfterMs'
  | 'incarnationAheadMax' | 'digestNewMembersMax' | 'refutationIntervalMsMin'
  | 'mailboxLengthMax' | 'actorRestartsMax' | 'actorRestartWindowMs' | 'actorReviveAfterMsMin' | 'actorReviveAfterMsMax' | 'messageBytesMax' | 'membersMax' | 'peerHistoryMax' | 'alertLogMax' | 'eventLogMax'>
