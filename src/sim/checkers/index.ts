/**
 * The simulation's invariant checkers, independent of any scenario: each reads only the trace
 * (what every node's events said, when) and the fault log (which node was faulty when), so one
 * set of definitions judges every scenario. See each file for its exact definition.
 */
export { checkFalseDeaths, type FalseDeathsResult } from './false-deaths.ts'
export { checkDetection, type DetectionResult } from './detection.ts'
export { checkConvergence, type ConvergenceResult, type FinalStatus } from './convergence.ts'
export { checkFlapping, describeFalseAlarms, type FlappingResult } from './flapping.ts'
export { Health } from './health.ts'
export { DEFAULT_CHECKS, type CheckOptions } from './options.ts'
export { computeQos, describeQos, type QosResult } from './qos.ts'
