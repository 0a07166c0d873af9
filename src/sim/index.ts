/**
 * The simulation harness (DESIGN.md §4, simulations/README.md): the deterministic simulator's
 * engine (SimCluster on a VirtualClock, per-node NodeClocks, the synchronous actor RunQueue, the
 * SimNetworkModel), the scenario language and its nemesis, the trace and fault log, the
 * scenario-independent checkers, the summary and the picture; and, for real processes, the
 * ProcessCluster that simulations/cluster.ts and the integration tests drive. VirtualCluster is
 * the small promise-drained cluster the node tests use.
 */
export { SimCluster, SIM_EPOCH_MS, type SimClusterOptions, type SimNode } from './sim-cluster.ts'
export { NodeClock } from './node-clock.ts'
export { RunQueue } from './run-queue.ts'
export { SimNetworkModel, LAN_NETWORK, type NetworkProfile } from './sim-network.ts'
export { Trace, EV, ST, EVENT_TYPES, VIEW_STATES } from './trace.ts'
export { FaultLog, type Fault, type FaultKind } from './fault-log.ts'
export { resolveScenario, parseDuration, formatDuration, type Scenario, type Step, type Target, type ResolvedOp } from './scenario.ts'
export { applyScenario } from './nemesis.ts'
export { runSimulation, reproduceCommand, SIM_NODE_DEFAULTS, type SimRunOptions, type SimRunResult } from './run-sim.ts'
export { renderSvg, buildSpec } from './plot.ts'
export * from './checkers/index.ts'
export { VirtualCluster } from './virtual-cluster.ts'
export { ProcessCluster } from './process-cluster.ts'
export { runSweep, parseSweepParam, scenarioNodeConfig, SWEEP_VALUES_MAX, SweepUsageError, type SweepParam, type SweepPoint, type SweepResult, type SweepOptions } from './sweep.ts'
export { renderSweepSvg, buildSweepSpec } from './sweep-plot.ts'
