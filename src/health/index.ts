/**
 * health: how this node measures itself. Resource collectors over /proc and statfs (pure parsers,
 * a thin reading shell), metric validation (the one gate every sample passes: collectors, check
 * perfdata, peers' heartbeats), the node status from checks, resource thresholds and Lifeguard
 * awareness, the compact summary heartbeats carry, the sampler on the injected Clock, and peers'
 * short in-memory trends. The checks runners live in src/checks/ and report CheckReports here.
 * Depends on the transport codec's and the API protocol's types only.
 */
export type { CheckReport, CheckStatus, Sample, SampleUnit } from './types.ts'
export { CHECK_STATUSES, SAMPLE_UNITS } from './types.ts'
export { checkSample, REJECT_REASONS, SAMPLE_LIMITS, SampleValidator, type RejectReason } from './validate.ts'
export { nodeStatus, worse, type NodeStatusInput, type NodeStatusResult, type ResourceThresholds } from './node-status.ts'
export { ResourceCollectors, COLLECTOR_NAMES, type CollectorName, type CollectorOptions } from './collectors.ts'
export { figuresOf, samplesOf, type ResourceFigures, type ResourceReading } from './resource-reading.ts'
export { NodeHealth, type NodeHealthDeps, type NodeHealthReport } from './node-health.ts'
export { PeerTrends, type PeerTrendsOptions } from './peer-trends.ts'
