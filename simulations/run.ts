/**
 * The deterministic simulator's runner.
 *
 *   npm run sim -- <scenario> [--nodes N] [--seed S] [--duration 10m] [--check-determinism] [--out DIR] [--no-svg]
 *   npm run sim -- --list
 *   npm run sim -- sweep <scenario> --param NAME=v1,v2,... [--nodes N] [--seed S] [--duration D] [--out DIR]  (simulations/sweep.ts)
 *
 * Prints the seed, the resolved options and the command that reproduces the run; writes
 * <out>/<scenario>-<nodes>-<seed>.json (the summary; its `run` section holds the wall-clock
 * figures and is the only part that may differ between two runs of the same seed) and .svg (the
 * timeline and the detection-latency distribution). --check-determinism runs twice and compares
 * the trace hashes and the summaries without `run`, byte for byte.
 *
 * Exit codes: 0 every checker passed, 1 a checker failed (or determinism broke), 2 usage error.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { systemClock } from '../src/runtime/clock.ts'
import { systemRandom } from '../src/runtime/random.ts'
import { Progress } from '../src/sim/progress.ts'
import { reproduceCommand, runSimulation, type SimRunResult } from '../src/sim/run-sim.ts'
import { describeFalseAlarms, describeQos } from '../src/sim/checkers/index.ts'
import { formatDuration, parseDuration, type ResolvedOp } from '../src/sim/scenario.ts'
import { SCENARIOS } from './scenarios/index.ts'
import { ensureNodeFlags } from '../src/runtime/node-flags.ts'
import { simNodeFlags } from '../src/sim/sim-heap.ts'

// Before anything is allocated: the heap limit and young generation a run of thousands of nodes needs.
ensureNodeFlags(simNodeFlags())

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run sim -- <scenario> [--nodes N] [--seed S] [--duration 10m] [--check-determinism] [--out DIR] [--no-svg]\n       npm run sim -- sweep <scenario> --param NAME=v1,v2,... [--nodes N] [--seed S] [--duration 2m] [--out DIR]\nscenarios: ${[...SCENARIOS.keys()].join(', ')}\n`)
  process.exit(2)
}

let parsed
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: 'string' },
      seed: { type: 'string' },
      duration: { type: 'string' },
      'check-determinism': { type: 'boolean', default: false },
      out: { type: 'string', default: 'out/sim' },
      'no-svg': { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      param: { type: 'string' }
    }
  })
} catch (err) {
  usage((err as Error).message)
}
const { values, positionals } = parsed
if (values.list) {
  for (const s of SCENARIOS.values()) console.log(`${s.name.padEnd(16)} ${s.description} (default ${s.defaults.nodes} nodes, ${s.defaults.duration})`)
  process.exit(0)
}
if (positionals[0] === 'sweep') {
  const { sweepMain } = await import('./sweep.ts')
  process.exit(await sweepMain(positionals.slice(1), values))
}
if (values.param !== undefined) usage('--param is for sweep: npm run sim -- sweep <scenario> --param NAME=v1,v2,...')
const name = positionals[0]
if (name === undefined) usage('which scenario?')
const scenario = SCENARIOS.get(name)
if (scenario === undefined) usage(`unknown scenario "${name}"`)
const nodes = values.nodes === undefined ? scenario.defaults.nodes : Number(values.nodes)
if (!Number.isInteger(nodes) || nodes < 2 || nodes > 5000) usage('--nodes must be an integer from 2 to 5000')
const seed = values.seed === undefined ? systemRandom().int(2 ** 31) : Number(values.seed)
if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) usage('--seed must be an integer from 0 to 2^32 - 1')
let durationMs: number
try {
  durationMs = parseDuration(values.duration ?? scenario.defaults.duration)
} catch (err) {
  usage((err as Error).message)
}
if (durationMs < 1000) usage('--duration must be at least 1s')

const describe = (op: ResolvedOp): string => {
  const list = (ids: string[] | undefined): string => (ids === undefined ? '' : ids.length > 8 ? `${ids.slice(0, 8).join(',')}… (${ids.length} nodes)` : ids.join(','))
  const parts = [`${formatDuration(op.atMs).padStart(6)}  ${op.op}`]
  if (op.nodes !== undefined) parts.push(list(op.nodes))
  if (op.sides !== undefined) parts.push(op.sides.map((s) => `[${s.length} nodes]`).join(' | '))
  if (op.from !== undefined) parts.push(`${list(op.from)} -> ${list(op.to)}${op.oneWay === true ? ' (one way)' : ''}`)
  if (op.rate !== undefined) parts.push(`rate ${op.rate}`)
  if (op.forMs !== undefined) parts.push(`for ${formatDuration(op.forMs)}`)
  if (op.untilMs !== undefined) parts.push(`until ${formatDuration(op.untilMs)}`)
  if (op.onMs !== undefined) parts.push(`${formatDuration(op.onMs)} on / ${formatDuration(op.offMs!)} off`)
  if (op.everyMs !== undefined) parts.push(`every ${formatDuration(op.everyMs)}, down ${formatDuration(op.downForMs!)}`)
  return parts.join('  ')
}

const reproduce = reproduceCommand(scenario.name, nodes, seed, durationMs)
const log = (line: string): void => { if (!values.quiet) process.stdout.write(`${line}\n`) }
log(`scenario  ${scenario.name}: ${scenario.description}`)
log(`seed      ${seed}`)
log(`nodes     ${nodes}, duration ${formatDuration(durationMs)} (virtual)`)
if (scenario.node !== undefined) log(`agent     ${JSON.stringify(scenario.node)} over the lan profile`)
log(`reproduce ${reproduce}`)

async function once(label: string): Promise<{ result: SimRunResult; wallMs: number }> {
  const progress = new Progress(label, durationMs)
  const wall = systemClock()
  const result = await runSimulation({ scenario: scenario!, nodes, seed, durationMs, svg: !values['no-svg'], wallMs: () => wall.now(), onProgress: (ms, phase) => progress.update(ms, phase) })
  progress.stop()
  return { result, wallMs: progress.elapsedMs() }
}

const first = await once(scenario.name)
const { result } = first
log('steps (resolved with the seed):')
for (const op of result.ops) log(`  ${describe(op)}`)
let determinism: Record<string, unknown> | undefined
if (values['check-determinism']) {
  const second = await once(`${scenario.name} (again)`)
  const a = JSON.stringify(result.summary)
  const b = JSON.stringify(second.result.summary)
  determinism = { traceHashes: [result.traceHash, second.result.traceHash], sameTrace: result.traceHash === second.result.traceHash, sameSummary: a === b, secondRunWallMs: Math.round(second.wallMs) }
}
const run = {
  wallMs: Math.round(first.wallMs),
  virtualSecondsPerWallSecond: Math.round((durationMs / Math.max(1, first.wallMs)) * 100) / 100,
  // Issue 12's targets for 1,000 nodes x 10 virtual minutes: <= 90 s of wall time, <= 3 GB peak RSS.
  wallWithinTarget: nodes === 1000 && durationMs === 600_000 ? first.wallMs <= 90_000 : undefined,
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
  rssWithinTarget: nodes === 1000 && durationMs === 600_000 ? process.resourceUsage().maxRSS * 1024 <= 3e9 : undefined,
  cpuSeconds: Math.round((process.resourceUsage().userCPUTime + process.resourceUsage().systemCPUTime) / 1e4) / 100,
  phases: result.phases,
  node: process.version,
  cpus: cpus().length,
  ...(determinism !== undefined ? { determinism } : {})
}
const out = { ...result.summary, run }
mkdirSync(values.out, { recursive: true })
const base = join(values.out, `${scenario.name}-${nodes}-${seed}`)
writeFileSync(`${base}.json`, `${JSON.stringify(out, null, 2)}\n`)
if (result.svg !== undefined) writeFileSync(`${base}.svg`, result.svg)

const s = result.summary as { detection: { deadMs: { p50: number | null; p99: number | null; max: number | null }; suspectMs: { p50: number | null; p99: number | null; max: number | null }; observerPairs: number }; traffic: { messagesSentPerNodePerSecond: number; messagesReceivedPerNodePerSecond: number; bytesSentPerNodePerSecond: number }; convergence: { timeToConvergeMs: number | null } }
const c = result.checks
log(`detection suspect p50/p99/max ${s.detection.suspectMs.p50}/${s.detection.suspectMs.p99}/${s.detection.suspectMs.max} ms, dead ${s.detection.deadMs.p50}/${s.detection.deadMs.p99}/${s.detection.deadMs.max} ms over ${s.detection.observerPairs} observer pairs`)
log(`qos       ${describeQos(result.qos)}`)
log(`false     ${c.falseDeaths.falseDeaths} deaths, ${c.falseDeaths.falseSuspects} suspects, ${c.flapping.falseAlarms} false alarms`)
log(`          (${describeFalseAlarms(c.flapping)})`)
log(`traffic   ${s.traffic.messagesSentPerNodePerSecond} msgs/s and ${s.traffic.bytesSentPerNodePerSecond} B/s sent per node, ${s.traffic.messagesReceivedPerNodePerSecond} msgs/s received`)
log(`converge  ${s.convergence.timeToConvergeMs === null ? 'not converged' : `${s.convergence.timeToConvergeMs} ms after the last fault change`}`)
for (const check of [c.falseDeaths, c.detection, c.convergence, c.flapping]) log(`check     ${check.pass ? 'PASS' : 'FAIL'} ${check.name}`)
const errors = result.summary.handlerErrors as { handler: number; validator: number }
log(`check     ${errors.handler + errors.validator === 0 ? 'PASS' : 'FAIL'} no-handler-errors (${errors.handler} thrown by message handlers, ${errors.validator} by validators)`)
log(`trace     ${result.traceHash} (${(result.summary.trace as { events: number }).events} events)`)
if (determinism !== undefined) log(`determinism ${determinism.sameTrace === true && determinism.sameSummary === true ? 'PASS: same trace hash and summary' : 'FAIL: the two runs differ'}`)
log(`wall      ${(first.wallMs / 1000).toFixed(1)} s (${run.virtualSecondsPerWallSecond} virtual s per wall s; ${Object.entries(result.phases).map(([k, v]) => `${k.replace('WallMs', '')} ${(v / 1000).toFixed(1)} s`).join(', ')}); ${run.cpuSeconds} CPU s, peak RSS ${(run.peakRssBytes / 2 ** 20).toFixed(0)} MiB`)
log(`wrote     ${base}.json${result.svg !== undefined ? ` and ${base}.svg` : ''}`)
log(`${result.pass ? 'PASS' : 'FAIL'} ${reproduce}`)
const ok = result.pass && (determinism === undefined || (determinism.sameTrace === true && determinism.sameSummary === true))
process.exit(ok ? 0 : 1)
