import { validateConfig } from '../config/load.ts'
import { defaultConfig, PROFILES } from '../config/profiles.ts'
import { configSchema, type Config, type ConfigInput } from '../config/schema.ts'
import { runSimulation, SIM_NODE_DEFAULTS } from './run-sim.ts'
import type { Scenario } from './scenario.ts'

/**
 * A parameter sweep (`npm run sim -- sweep SCENARIO --param NAME=v1,v2,...`): the scenario runs
 * once per value of one numeric agent option, with the same seed, node count and duration, so the
 * points differ only by that option. Each point keeps the QoS figures the classic trade-off curve
 * needs (Chen, Toueg and Aguilera 2002, §5; Hayashibara et al.'s phi plots): detection time T_D
 * against the mistake rate lambda_M and 1 - P_A. The runs are sequential: one simulated cluster
 * in memory at a time.
 */
export const SWEEP_VALUES_MAX = 20

export interface SweepParam {
  name: keyof Config
  values: number[]
}

export class SweepUsageError extends Error {
  override name = 'SweepUsageError'
}

/** The schema node of a top-level option, through default/optional wrappers; undefined when unknown. */
function fieldType(name: string): string | undefined {
  const shape = configSchema.shape as Record<string, { def: { type: string; innerType?: unknown } } | undefined>
  let s = shape[name]
  for (let i = 0; s !== undefined && i < 4 && s.def.innerType !== undefined; i++) s = s.def.innerType as typeof s
  return s?.def.type
}

/** The agent options a simulated node of this scenario runs with (lan profile, simulator defaults, the scenario's own). */
export function scenarioNodeConfig(scenario: Scenario, extra: ConfigInput = {}): Config {
  return validateConfig({ ...defaultConfig(), ...PROFILES.lan, name: 'sim', ...SIM_NODE_DEFAULTS, ...scenario.node, ...extra })
}

/**
 * Parses `NAME=v1,v2,...`: NAME must be a numeric agent option (src/config/schema.ts), each value
 * a number the option accepts together with the scenario's other options (so cross-option rules
 * apply too), at most SWEEP_VALUES_MAX of them, no repeats.
 */
export function parseSweepParam(spec: string, scenario: Scenario): SweepParam {
  const eq = spec.indexOf('=')
  if (eq <= 0) throw new SweepUsageError(`--param must be NAME=v1,v2,... (got "${spec}")`)
  const name = spec.slice(0, eq).trim()
  const type = fieldType(name)
  if (type === undefined) throw new SweepUsageError(`--param: "${name}" is not an agent option (see src/config/schema.ts)`)
  if (type !== 'number') throw new SweepUsageError(`--param: "${name}" is not a numeric option (it is a ${type})`)
  const raw = spec.slice(eq + 1).split(',').map((v) => v.trim())
  if (raw.length === 0 || raw.some((v) => v === '')) throw new SweepUsageError(`--param ${name}: give a comma-separated list of numbers (got "${spec.slice(eq + 1)}")`)
  if (raw.length > SWEEP_VALUES_MAX) throw new SweepUsageError(`--param ${name}: ${raw.length} values, at most ${SWEEP_VALUES_MAX}`)
  const values: number[] = []
  for (const v of raw) {
    const x = Number(v)
    if (!Number.isFinite(x)) throw new SweepUsageError(`--param ${name}: "${v}" is not a number`)
    if (values.includes(x)) throw new SweepUsageError(`--param ${name}: ${x} is listed twice`)
    try {
      scenarioNodeConfig(scenario, { [name]: x })
    } catch (err) {
      throw new SweepUsageError(`--param ${name}=${x} is not accepted: ${(err as Error).message}`)
    }
    values.push(x)
  }
  return { name: name as keyof Config, values }
}

export interface SweepPoint {
  value: number
  isDefault: boolean
  pass: boolean
  /** T_D (ms from crash to permanent suspicion) over (crash, observer) pairs; null without crashes. */
  detectionP50Ms: number | null
  detectionP99Ms: number | null
  /** Ms from crash to dead (the detection-bound checker's figure), p50. */
  deadP50Ms: number | null
  mistakes: number
  mistakesPerPairHour: number
  /** 1 - P_A: the fraction of eligible pair-time spent wrongly suspecting. */
  queryInaccuracy: number
  falseDeaths: number
  falseAlarms: number
  traceHash: string
}

export interface SweepResult {
  scenario: string
  nodes: number
  seed: number
  durationMs: number
  param: string
  defaultValue: number
  points: SweepPoint[]
}

export interface SweepOptions {
  scenario: Scenario
  param: SweepParam
  nodes: number
  seed: number
  durationMs: number
  /** Called after each run (the runner prints one line per value). */
  onPoint?: (p: SweepPoint, index: number) => void
  onProgress?: (value: number, virtualMs: number, phase: string) => void
}

export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  const defaultValue = scenarioNodeConfig(o.scenario)[o.param.name] as number
  const points: SweepPoint[] = []
  for (const [i, value] of o.param.values.entries()) {
    const scenario: Scenario = { ...o.scenario, node: { ...o.scenario.node, [o.param.name]: value } }
    const r = await runSimulation({ scenario, nodes: o.nodes, seed: o.seed, durationMs: o.durationMs, svg: false, onProgress: o.onProgress === undefined ? undefined : (ms, phase) => o.onProgress!(value, ms, phase) })
    const dead = r.summary.detection as { deadMs: { p50: number | null } }
    const point: SweepPoint = {
      value,
      isDefault: value === defaultValue,
      pass: r.pass,
      detectionP50Ms: r.qos.detectionMs.p50,
      detectionP99Ms: r.qos.detectionMs.p99,
      deadP50Ms: dead.deadMs.p50,
      mistakes: r.qos.mistakes,
      mistakesPerPairHour: r.qos.mistakesPerPairHour,
      queryInaccuracy: Math.round((1 - r.qos.queryAccuracy) * 1e6) / 1e6,
      falseDeaths: r.checks.falseDeaths.falseDeaths,
      falseAlarms: r.checks.flapping.falseAlarms,
      traceHash: r.traceHash
    }
    points.push(point)
    o.onPoint?.(point, i)
  }
  return { scenario: o.scenario.name, nodes: o.nodes, seed: o.seed, durationMs: o.durationMs, param: o.param.name, defaultValue, points }
}
