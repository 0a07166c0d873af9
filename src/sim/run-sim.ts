import type { ConfigInput } from '../config/schema.ts'
import { seededRandom } from '../runtime/random.ts'
import { checkConvergence, checkDetection, checkFalseDeaths, checkFlapping, computeQos, DEFAULT_CHECKS, type CheckOptions, type FinalStatus, type QosResult } from './checkers/index.ts'
import { applyScenario } from './nemesis.ts'
import { renderSvg } from './plot.ts'
import { formatDuration, resolveScenario, type ResolvedOp, type Scenario } from './scenario.ts'
import { SimCluster } from './sim-cluster.ts'
import { LAN_NETWORK, type NetworkProfile } from './sim-network.ts'
import { checksSection, detectionSection, traffic, type Checks } from './summary.ts'

/**
 * One simulated run of a scenario: resolve it with the seed, boot the cluster (every node at
 * virtual time 0, joining through n0) until every node sees every other alive, apply the
 * scenario from the next whole second, run for its duration, then check and summarise.
 */
export interface SimRunOptions {
  scenario: Scenario
  nodes: number
  seed: number
  durationMs: number
  /** Called now and then with the virtual ms done (of durationMs) and the phase. */
  onProgress?: (virtualMs: number, phase: string) => void
  /** Skip the SVG (tests). */
  svg?: boolean
  /** Wall-clock ms, to time the phases (reported outside the deterministic summary). */
  wallMs?: () => number
}

export interface SimRunResult {
  /** Deterministic: a function of (scenario, nodes, seed, duration) only. */
  summary: Record<string, unknown>
  /** Wall ms per phase (boot, run, checks, svg), when wallMs was given. */
  phases: Record<string, number>
  pass: boolean
  traceHash: string
  svg: string | undefined
  checks: Checks
  /** The Chen-Toueg-Aguilera QoS metrics over the scenario's window (also in the summary). */
  qos: QosResult
  ops: ResolvedOp[]
  sim: SimCluster
}

/**
 * Agent options the simulator sets on every node, over `lan` and under the scenario's own: the
 * simulated nodes serve no socket API, so their event log (what GET /v1/events pages through)
 * is kept short (50 entries): at boot each node logs a join per member, ~200 MB at 1,000 nodes
 * under the agent's default. Nothing in detection or views reads it. Nor is a peer's state
 * history (GET /v1/peers/{peer}) kept: one entry per (node, member) pair from the join, ~130
 * bytes a pair.
 */
export const SIM_NODE_DEFAULTS: ConfigInput = { eventLogMax: 50, peerHistoryMax: 0 }

/** Boot must converge within this much virtual time or the run is void. */
const BOOT_LIMIT_MS = 120_000

export function reproduceCommand(scenario: string, nodes: number, seed: number, durationMs: number): string {
  return `npm run sim -- ${scenario} --nodes ${nodes} --seed ${seed} --duration ${formatDuration(durationMs)}`
}

export async function runSimulation(o: SimRunOptions): Promise<SimRunResult> {
  const wall = o.wallMs ?? ((): number => 0)
  const phases: Record<string, number> = {}
  let mark = wall()
  const phase = (name: string): void => {
    const t = wall()
    phases[name] = Math.round(t - mark)
    mark = t
  }
  const root = seededRandom(o.seed)
  const ops = resolveScenario(o.scenario, o.nodes, o.durationMs, root.fork())
  const network: NetworkProfile = { ...LAN_NETWORK, ...o.scenario.network }
  const checkOptions: CheckOptions = { ...DEFAULT_CHECKS, ...o.scenario.checks }
  const nodeConfig: ConfigInput = { ...SIM_NODE_DEFAULTS, ...o.scenario.node }
  const sim = new SimCluster({ nodes: o.nodes, random: root.fork(), nodeConfig, network })

  sim.boot('n0', [])
  for (let i = 1; i < o.nodes; i++) sim.boot(`n${i}`, ['n0'])
  o.onProgress?.(0, 'boot')
  const bootMs = await sim.runUntilConverged(BOOT_LIMIT_MS)
  if (bootMs === undefined) throw new Error(`the ${o.nodes}-node cluster did not converge within ${BOOT_LIMIT_MS} virtual ms of booting`)
  const startMs = Math.ceil((sim.now() + 1) / 1000) * 1000
  await sim.runTo(startMs)
  phase('bootWallMs')
  const before = sim.model.snapshot()
  const nemesis = applyScenario(sim, ops, startMs)
  const endMs = startMs + o.durationMs
  await sim.runTo(endMs, o.onProgress === undefined ? undefined : (now) => o.onProgress!(now - startMs, 'run'))
  const after = sim.model.snapshot()
  phase('runWallMs')

  const status: FinalStatus[] = sim.nodes.map((n) => (n.status === 'running' ? 'running' : n.status === 'left' || n.status === 'leaving' ? 'left' : 'crashed'))
  const checks: Checks = {
    falseDeaths: checkFalseDeaths(sim.trace, sim.faults, checkOptions),
    detection: checkDetection(sim.trace, sim.faults, checkOptions, o.nodes, endMs),
    convergence: checkConvergence(sim.trace, status, nemesis.lastFaultChangeMs),
    flapping: checkFlapping(sim.trace, sim.faults, checkOptions, o.nodes)
  }
  // A node's message handler or validator that threw is a bug the checkers would not see (the
  // memory network counts it and goes on): shared decoded messages are frozen, so a node changing
  // one throws there. Over the whole run, boot included.
  const netStats = sim.network.stats()
  const handlerErrors = { handler: netStats.handlerErrors, validator: netStats.dropped.validatorError }
  const pass = checks.falseDeaths.pass && checks.detection.pass && checks.convergence.pass && checks.flapping.pass &&
    handlerErrors.handler === 0 && handlerErrors.validator === 0
  const qos = computeQos(sim.trace, sim.faults, checkOptions, o.nodes, startMs, endMs)
  const traceHash = sim.trace.digest()
  phase('checksWallMs')
  const rel = (ms: number): number => ms - startMs
  const det = detectionSection(checks.detection)
  const summary: Record<string, unknown> = {
    scenario: o.scenario.name,
    description: o.scenario.description,
    mode: 'sim',
    seed: o.seed,
    nodes: o.nodes,
    durationMs: o.durationMs,
    reproduce: reproduceCommand(o.scenario.name, o.nodes, o.seed, o.durationMs),
    pass,
    options: {
      node: nodeConfig,
      network,
      checks: checkOptions,
      steps: ops
    },
    boot: { convergedAfterMs: bootMs, scenarioStartsAtMs: startMs },
    detection: det,
    qos,
    falseSuspects: checks.falseDeaths.falseSuspects,
    falseDeaths: checks.falseDeaths.falseDeaths,
    falseAlarms: checks.flapping.falseAlarms,
    falseAlarmsDuringLinkFaults: checks.flapping.falseAlarmsDuringLinkFaults,
    traffic: traffic(before, after, sim.faults, startMs, endMs),
    handlerErrors,
    convergence: {
      fromMs: rel(checks.convergence.referenceMs),
      timeToConvergeMs: checks.convergence.timeToConvergeMs
    },
    targets: targets(o.nodes, det),
    checks: checksSection(checks),
    faults: sim.faults.faults.slice(0, 500).map((f) => ({ node: sim.nodes[f.node]!.id, kind: f.kind, fromMs: rel(f.fromMs), toMs: Number.isFinite(f.toMs) ? rel(f.toMs) : null, ...(f.detail !== undefined ? { detail: f.detail } : {}) })),
    faultsTotal: sim.faults.faults.length,
    trace: { events: sim.trace.length, sha256: traceHash }
  }
  let svg: string | undefined
  if (o.svg !== false) {
    svg = await renderSvg({
      title: `${o.scenario.name}: ${o.nodes} nodes, seed ${o.seed}, ${formatDuration(o.durationMs)} — ${pass ? 'PASS' : 'FAIL'}`,
      trace: sim.trace,
      faults: sim.faults,
      nodes: o.nodes,
      fromMs: Math.max(0, startMs - 5000),
      toMs: endMs,
      originMs: startMs,
      suspectMs: checks.detection.suspectMs,
      deadMs: checks.detection.deadMs
    })
  }
  phase('svgWallMs')
  return { summary, phases, pass, traceHash, svg, checks, qos, ops, sim }
}

/** The acceptance targets that a summary can speak to, with the reference figures. */
function targets(nodes: number, det: Record<string, unknown>): Record<string, unknown> {
  const dead = det.deadMs as { p99: number | null; p50: number | null }
  return {
    deadP99WithinMs: 5000,
    deadP99Met: dead.p99 === null ? null : dead.p99 <= 5000,
    zeroFalseDeaths: true,
    reference: nodes >= 100 ? 'memberlist (published): about 11 s median and 16 s p99 to detect a failure at 128 nodes' : undefined
  }
}
