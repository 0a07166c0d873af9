/**
 * `npm run sim -- sweep SCENARIO --param NAME=v1,v2,... [--nodes N] [--seed S] [--duration D] [--out DIR]`
 *
 * Runs the scenario once per value of one numeric agent option (same seed, nodes and duration),
 * prints one line per value, and writes <out>/sweep-<scenario>-<param>-<nodes>-<seed>.json (the
 * points) and .svg (detection time against mistake rate, the default value marked). Without
 * --seed the seed is drawn once and shared by every value. Exit codes as the runner's: 0 when
 * every run passed its checkers, 1 otherwise, 2 on a usage error.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { systemClock } from '../src/runtime/clock.ts'
import { systemRandom } from '../src/runtime/random.ts'
import { Progress } from '../src/sim/progress.ts'
import { formatDuration, parseDuration } from '../src/sim/scenario.ts'
import { renderSweepSvg } from '../src/sim/sweep-plot.ts'
import { parseSweepParam, runSweep, SweepUsageError, type SweepPoint } from '../src/sim/sweep.ts'
import { SCENARIOS } from './scenarios/index.ts'

export interface SweepFlags {
  nodes?: string | undefined
  seed?: string | undefined
  duration?: string | undefined
  param?: string | undefined
  out: string
  quiet?: boolean | undefined
}

const USAGE = 'usage: npm run sim -- sweep <scenario> --param NAME=v1,v2,... [--nodes N] [--seed S] [--duration 2m] [--out DIR]'

function fail(message: string): number {
  process.stderr.write(`${message}\n${USAGE}\n`)
  return 2
}

const cell = (x: number | null, width: number): string => String(x ?? '-').padStart(width)

function line(p: SweepPoint, param: string): string {
  return `${param}=${String(p.value).padEnd(6)} T_D p50/p99 ${cell(p.detectionP50Ms, 6)}/${cell(p.detectionP99Ms, 6)} ms  dead p50 ${cell(p.deadP50Ms, 6)} ms  mistakes ${cell(p.mistakes, 6)} (${p.mistakesPerPairHour}/pair-h)  1-P_A ${p.queryInaccuracy}  false deaths ${p.falseDeaths}  ${p.pass ? 'PASS' : 'FAIL'}${p.isDefault ? '  (default)' : ''}`
}

export async function sweepMain(positionals: readonly string[], flags: SweepFlags): Promise<number> {
  const name = positionals[0]
  if (name === undefined) return fail('sweep: which scenario?')
  const scenario = SCENARIOS.get(name)
  if (scenario === undefined) return fail(`sweep: unknown scenario "${name}"; scenarios: ${[...SCENARIOS.keys()].join(', ')}`)
  if (flags.param === undefined) return fail('sweep: --param NAME=v1,v2,... is required')
  const nodes = flags.nodes === undefined ? scenario.defaults.nodes : Number(flags.nodes)
  if (!Number.isInteger(nodes) || nodes < 2 || nodes > 5000) return fail('--nodes must be an integer from 2 to 5000')
  const seed = flags.seed === undefined ? systemRandom().int(2 ** 31) : Number(flags.seed)
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) return fail('--seed must be an integer from 0 to 2^32 - 1')
  let durationMs: number
  let param
  try {
    durationMs = parseDuration(flags.duration ?? scenario.defaults.duration)
    param = parseSweepParam(flags.param, scenario)
  } catch (err) {
    return fail(err instanceof SweepUsageError ? err.message : `sweep: ${(err as Error).message}`)
  }
  if (durationMs < 1000) return fail('--duration must be at least 1s')
  const log = (s: string): void => { if (flags.quiet !== true) process.stdout.write(`${s}\n`) }
  log(`sweep     ${scenario.name}, ${param.name} = ${param.values.join(', ')}`)
  log(`          ${nodes} nodes, seed ${seed}, ${formatDuration(durationMs)} (virtual) per run`)
  const wall = systemClock()
  const started = wall.now()
  let progress: Progress | undefined
  const result = await runSweep({
    scenario, param, nodes, seed, durationMs,
    onProgress: (value, ms, phase) => {
      progress ??= new Progress(`${param.name}=${value}`, durationMs, flags.quiet !== true)
      progress.update(ms, phase)
    },
    onPoint: (p) => {
      progress?.stop()
      progress = undefined
      log(line(p, param.name))
    }
  })
  mkdirSync(flags.out, { recursive: true })
  const base = join(flags.out, `sweep-${scenario.name}-${param.name}-${nodes}-${seed}`)
  const json = { ...result, reproduce: `npm run sim -- sweep ${scenario.name} --param ${param.name}=${param.values.join(',')} --nodes ${nodes} --seed ${seed} --duration ${formatDuration(durationMs)}`, wallMs: Math.round(wall.now() - started) }
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`)
  writeFileSync(`${base}.svg`, await renderSweepSvg(result))
  log(`wrote     ${base}.json and ${base}.svg (${(json.wallMs / 1000).toFixed(1)} s wall)`)
  return result.points.every((p) => p.pass) ? 0 : 1
}
