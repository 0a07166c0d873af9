/**
 * The real-process cluster runner: the same scenarios, where they apply, on N real
 * `healthmon agent` processes on 127.0.0.1 with real libp2p (src/sim/process-cluster.ts).
 *
 *   npm run cluster -- <scenario> --nodes N [--seed S] [--duration 2m] [--poll-ms 100] [--out DIR]
 *
 * Faults are signals: crash and host-crash -> SIGKILL (on loopback the host always answers, so a
 * host crash is a process crash here), pause -> SIGSTOP then SIGCONT, slow -> a SIGSTOP/SIGCONT
 * stall loop, leave -> SIGTERM, restarts start the agent again on its data dir (next
 * incarnation). Link faults, loss and clock drift cannot be made with signals and are skipped
 * (listed in the output). Everything is measured through each agent's socket, as an operator
 * would: GET /v1/view every --poll-ms gives the trace (each observed state change), GET /metrics
 * at the scenario's start and end gives the heartbeat traffic. The same checkers and the same
 * summary format (mode "cluster") and SVG as the simulator; times are wall-clock ms since the
 * runner started, so the trace is not deterministic. Every agent is ended by its pid on exit,
 * on SIGINT and SIGTERM too.
 *
 * Exit codes: 0 every checker passed, 1 a checker failed or the cluster could not start, 2 usage.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { ApiClient } from '../src/api/client.ts'
import type { ClusterView, PeerState } from '../src/api/protocol.ts'
import { eventNameFor } from '../src/events.ts'
import { sleep, systemClock } from '../src/runtime/clock.ts'
import { seededRandom, systemRandom } from '../src/runtime/random.ts'
import { checkConvergence, checkDetection, checkFalseDeaths, checkFlapping, computeQos, DEFAULT_CHECKS, describeFalseAlarms, describeQos, type FinalStatus } from '../src/sim/checkers/index.ts'
import { FaultLog } from '../src/sim/fault-log.ts'
import { renderSvg } from '../src/sim/plot.ts'
import { ProcessCluster } from '../src/sim/process-cluster.ts'
import { cpuPercent, sampleProcess, type ProcSample } from '../src/sim/proc-stats.ts'
import { DEFAULT_SLOW, formatDuration, parseDuration, resolveScenario, type ResolvedOp } from '../src/sim/scenario.ts'
import { checksSection, detectionSection, type Checks } from '../src/sim/summary.ts'
import { EV, EVENT_TYPES, SEVERITIES, Trace, VIEW_STATES } from '../src/sim/trace.ts'
import { SCENARIOS } from './scenarios/index.ts'

function usage(message: string): never {
  process.stderr.write(`${message}\nusage: npm run cluster -- <scenario> --nodes N [--seed S] [--duration 2m] [--poll-ms 100] [--out DIR]\nscenarios: ${[...SCENARIOS.keys()].join(', ')}\n`)
  process.exit(2)
}

let parsed
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: 'string', default: '10' },
      seed: { type: 'string' },
      duration: { type: 'string' },
      'poll-ms': { type: 'string', default: '100' },
      out: { type: 'string', default: 'out/cluster' }
    }
  })
} catch (err) {
  usage((err as Error).message)
}
const { values, positionals } = parsed
const scenario = SCENARIOS.get(positionals[0] ?? '')
if (scenario === undefined) usage(positionals[0] === undefined ? 'which scenario?' : `unknown scenario "${positionals[0]}"`)
const nodes = Number(values.nodes)
if (!Number.isInteger(nodes) || nodes < 2 || nodes > 40) usage('--nodes must be an integer from 2 to 40 (real processes on one machine)')
const seed = values.seed === undefined ? systemRandom().int(2 ** 31) : Number(values.seed)
if (!Number.isInteger(seed) || seed < 0) usage('--seed must be a non-negative integer')
const pollMs = Number(values['poll-ms'])
let durationMs: number
try {
  durationMs = parseDuration(values.duration ?? scenario.defaults.duration)
} catch (err) {
  usage((err as Error).message)
}

const SIGNAL_OPS = new Set(['crash', 'host-crash', 'leave', 'restart', 'pause', 'slow', 'rolling-restart', 'churn', 'heal-all'])
const random = seededRandom(seed)
const ops = resolveScenario(scenario, nodes, durationMs, random.fork())
const applied = ops.filter((op) => SIGNAL_OPS.has(op.op))
const skipped = ops.filter((op) => !SIGNAL_OPS.has(op.op)).map((op) => `${op.op} at ${formatDuration(op.atMs)}: link faults, loss and drift cannot be made with signals on real processes`)
if (scenario.node !== undefined && Object.keys(scenario.node).length > 0) skipped.push(`agent options ${JSON.stringify(scenario.node)} not applied (the agents run the local-test profile with lan detection settings)`)
const nemesisRandom = random.fork()

const clock = systemClock()
const t0 = clock.now()
const now = (): number => clock.now() - t0
const ids = Array.from({ length: nodes }, (_, i) => `n${i}`)
const reproduce = `npm run cluster -- ${scenario.name} --nodes ${nodes} --seed ${seed} --duration ${formatDuration(durationMs)}`
console.log(`scenario  ${scenario.name}: ${scenario.description}`)
console.log(`seed      ${seed}`)
console.log(`nodes     ${nodes} real agents on 127.0.0.1, duration ${formatDuration(durationMs)}, polling every ${pollMs} ms`)
console.log(`reproduce ${reproduce}`)
for (const s of skipped) console.log(`skipped   ${s}`)
// Measured here: agents start about 1.5 s each on 2 cores (libp2p import), the cluster converges
// within a few seconds, then the scenario runs for its duration and the checks take a moment.
const expectedBootMs = 5000 + 2000 * nodes
console.log(`expect    about ${formatDuration(expectedBootMs + 2000 + durationMs)}: starting ${nodes} agents (~${formatDuration(expectedBootMs)}), then ${formatDuration(durationMs)} of scenario; progress on stderr`)

// The process cluster runs the local-test profile (loopback, ephemeral ports); put back the lan
// defaults it changes for speed, so what is measured is the default configuration.
const cluster = new ProcessCluster({ size: nodes, clock, env: { HEALTHMON_ANTI_ENTROPY_INTERVAL_MS: '5000', HEALTHMON_RECONNECT_INTERVAL_MS: '30000' } })
let closing: Promise<void> | undefined
const close = (): Promise<void> => (closing ??= cluster.close())
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { void close().then(() => process.exit(130)) })

const trace = new Trace(ids)
const faults = new FaultLog(nodes)
const peerIds = new Map<string, string>()
const lastSeen: (Map<string, PeerState> | undefined)[] = new Array(nodes).fill(undefined)
const status: ('running' | 'crashed' | 'left')[] = new Array(nodes).fill('running')
const paused = new Set<number>()
const slowNodes = new Set<number>()

async function poll(): Promise<void> {
  await Promise.all(cluster.agents.map(async (a, i) => {
    if (status[i] !== 'running' || paused.has(i) || a.child === undefined) return
    let view: ClusterView
    try {
      view = await new ApiClient(a.socket, { timeoutMs: 1000 }).get<ClusterView>('/v1/view')
    } catch {
      return
    }
    const t = now()
    const seen = lastSeen[i] ?? new Map<string, PeerState>()
    lastSeen[i] = seen
    for (const p of view.peers) {
      const name = peerIds.get(p.id)
      if (name === undefined) continue
      const before = seen.get(name) ?? 'missing'
      if (before === p.state) continue
      seen.set(name, p.state)
      const event = eventNameFor(before, p.state)
      trace.record(t, i, EVENT_TYPES.indexOf(event), name, VIEW_STATES.indexOf(p.state), p.observedBySelf)
      if (!(before === 'missing' && p.state === 'alive')) trace.record(t, i, EV.alert, name, SEVERITIES.indexOf(p.state === 'dead' ? 'critical' : p.state === 'alive' || p.state === 'left' ? 'info' : 'warning'), false)
    }
  }))
}

/** GET of a text body over the agent's unix socket (the Prometheus exposition is not JSON). */
function getText(socketPath: string, path: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path, method: 'GET', agent: false, timeout: timeoutMs, headers: { host: 'localhost', connection: 'close' } })
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)))
    req.on('error', reject)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => ((res.statusCode ?? 0) < 300 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`GET ${path}: ${res.statusCode}`))))
    })
    req.end()
  })
}

async function metrics(): Promise<{ sent: number; received: number; samples: (ProcSample | undefined)[] }> {
  let sent = 0
  let received = 0
  await Promise.all(cluster.agents.map(async (a, i) => {
    if (status[i] !== 'running' || a.child === undefined) return
    try {
      const text = await getText(a.socket, '/metrics', 2000)
      sent += Number(/^healthmon_heartbeats_sent_total(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 0)
      received += Number(/^healthmon_heartbeats_received_total(?:\{[^}]*\})? (\S+)$/m.exec(text)?.[1] ?? 0)
    } catch {
      // an agent without /metrics, or busy: its counters are missing from the sums
    }
  }))
  return { sent, received, samples: cluster.agents.map((a) => (a.child?.pid === undefined ? undefined : sampleProcess(a.child.pid))) }
}

const stallLoop = (i: number): void => {
  if (!slowNodes.has(i) || status[i] !== 'running') return
  const exp = (mean: number): number => -Math.log(1 - nemesisRandom.next()) * mean
  clock.setTimeout(() => {
    if (!slowNodes.has(i) || status[i] !== 'running') return
    cluster.signal(cluster.agents[i]!, 'SIGSTOP')
    clock.setTimeout(() => {
      if (status[i] === 'running') cluster.signal(cluster.agents[i]!, 'SIGCONT')
      stallLoop(i)
    }, Math.min(DEFAULT_SLOW.stallMsMax, exp(DEFAULT_SLOW.stallMsMean)))
  }, exp(DEFAULT_SLOW.runMsMean))
}

let lastFaultChangeMs: number
function schedule(startMs: number, op: ResolvedOp, work: Promise<void>[]): void {
  const index = (id: string): number => Number(id.slice(1))
  const at = (ms: number, fn: () => Promise<void> | void): void => {
    clock.setTimeout(() => {
      lastFaultChangeMs = now()
      work.push(Promise.resolve(fn()).catch((err: unknown) => console.error(`operation ${op.op} failed: ${String(err)}`)))
    }, Math.max(0, startMs + ms - now()))
  }
  const kill = async (i: number): Promise<void> => {
    if (status[i] !== 'running') return
    status[i] = 'crashed'
    if (paused.delete(i)) faults.end(i, 'pause', now())
    slowNodes.delete(i)
    faults.start(i, 'crash', now())
    trace.clearViewsOf(i)
    lastSeen[i] = undefined
    await cluster.kill(cluster.agents[i]!)
  }
  const leave = async (i: number): Promise<void> => {
    if (status[i] !== 'running') return
    status[i] = 'left'
    faults.start(i, 'left', now())
    trace.clearViewsOf(i)
    lastSeen[i] = undefined
    await cluster.terminate(cluster.agents[i]!)
  }
  const restart = async (i: number): Promise<void> => {
    if (status[i] === 'running') return
    const kind = status[i] === 'left' ? 'left' : 'crash'
    await cluster.restart(cluster.agents[i]!)
    status[i] = 'running'
    faults.end(i, kind, now())
  }
  const pause = (i: number): void => {
    if (status[i] !== 'running' || paused.has(i)) return
    paused.add(i)
    faults.start(i, 'pause', now())
    cluster.signal(cluster.agents[i]!, 'SIGSTOP')
  }
  const resume = (i: number): void => {
    if (!paused.delete(i)) return
    faults.end(i, 'pause', now())
    if (status[i] === 'running') cluster.signal(cluster.agents[i]!, 'SIGCONT')
  }
  const end = op.forMs !== undefined ? op.atMs + op.forMs : undefined
  const list = (op.nodes ?? []).map(index)
  switch (op.op) {
    case 'crash':
    case 'host-crash':
      at(op.atMs, async () => { await Promise.all(list.map(kill)) })
      if (end !== undefined) at(end, async () => { for (const i of list) await restart(i) })
      break
    case 'leave':
      at(op.atMs, async () => { await Promise.all(list.map(leave)) })
      if (end !== undefined) at(end, async () => { for (const i of list) await restart(i) })
      break
    case 'restart':
      at(op.atMs, async () => { for (const i of list) await restart(i) })
      break
    case 'pause':
      at(op.atMs, () => { for (const i of list) pause(i) })
      at(end!, () => { for (const i of list) resume(i) })
      break
    case 'slow':
      at(op.atMs, () => { for (const i of list) { slowNodes.add(i); faults.start(i, 'slow', now()); stallLoop(i) } })
      if (end !== undefined) at(end, () => { for (const i of list) { slowNodes.delete(i); faults.end(i, 'slow', now()); cluster.signal(cluster.agents[i]!, 'SIGCONT') } })
      break
    case 'rolling-restart':
      list.forEach((i, k) => {
        at(op.atMs + k * op.everyMs!, () => (op.mode === 'crash' ? kill(i) : leave(i)))
        at(op.atMs + k * op.everyMs! + op.downForMs!, () => restart(i))
      })
      break
    case 'churn':
      for (let t = op.atMs; t < op.untilMs!; t += op.everyMs!) {
        at(t, async () => {
          const running = ids.map((_, i) => i).filter((i) => status[i] === 'running')
          const victim = running[nemesisRandom.int(running.length)]
          if (victim === undefined) return
          await kill(victim)
          clock.setTimeout(() => { work.push(restart(victim).catch(() => {})) }, op.downForMs!)
        })
      }
      break
    case 'heal-all':
      at(op.atMs, () => {
        for (const i of [...paused]) resume(i)
        for (const i of [...slowNodes]) { slowNodes.delete(i); faults.end(i, 'slow', now()); cluster.signal(cluster.agents[i]!, 'SIGCONT') }
      })
      break
    default:
      break
  }
}

let exitCode = 1
try {
  process.stderr.write(`${scenario.name}: starting ${nodes} agents\n`)
  await cluster.start(60_000)
  for (const [i, a] of cluster.agents.entries()) peerIds.set((await cluster.view(a)).self.id, ids[i]!)
  process.stderr.write(`${scenario.name}: ${nodes} agents up after ${formatDuration(Math.round(now() / 1000) * 1000)}; waiting for every view to hold every member alive\n`)
  const converged = await cluster.waitUntil(cluster.agents, (v) => v.peers.length === nodes - 1 && v.peers.every((p) => p.state === 'alive'), 60_000)
  if (converged === undefined) throw new Error('the cluster did not converge within 60 s of starting')
  await poll()
  const bootMs = now()
  const startMs = Math.ceil((now() + 2000) / 1000) * 1000
  process.stderr.write(`${scenario.name}: converged after ${formatDuration(Math.round(bootMs / 1000) * 1000)}; the scenario runs for ${formatDuration(durationMs)}\n`)
  while (now() < startMs) {
    await poll()
    await sleep(clock, pollMs)
  }
  const m0 = await metrics()
  const work: Promise<void>[] = []
  lastFaultChangeMs = startMs
  for (const op of applied) schedule(startMs, op, work)
  const endMs = startMs + durationMs
  let lastLine = now()
  while (now() < endMs) {
    await poll()
    if (now() - lastLine >= 10_000) {
      lastLine = now()
      process.stderr.write(`${scenario.name}: ${((now() - startMs) / 1000).toFixed(0)} of ${(durationMs / 1000).toFixed(0)} s\n`)
    }
    await sleep(clock, pollMs)
  }
  await Promise.allSettled(work)
  const m1 = await metrics()
  const wallEndMs = now()

  const checkOptions = { ...DEFAULT_CHECKS, ...scenario.checks }
  const finalStatus: FinalStatus[] = status.map((s) => s)
  const checks: Checks = {
    falseDeaths: checkFalseDeaths(trace, faults, checkOptions),
    detection: checkDetection(trace, faults, checkOptions, nodes, endMs),
    convergence: checkConvergence(trace, finalStatus, lastFaultChangeMs),
    flapping: checkFlapping(trace, faults, checkOptions, nodes)
  }
  const pass = checks.falseDeaths.pass && checks.detection.pass && checks.convergence.pass && checks.flapping.pass
  const upSeconds = status.reduce((sum, _, i) => {
    let down = 0
    for (const f of faults.of(i)) if (f.kind === 'crash' || f.kind === 'left') down += Math.max(0, Math.min(endMs, f.toMs) - Math.max(startMs, f.fromMs))
    return sum + (durationMs - down) / 1000
  }, 0)
  const cpu = m1.samples.map((s, i) => { const a = m0.samples[i]; return a !== undefined && s !== undefined ? Math.round(cpuPercent(a, s, wallEndMs - startMs) * 100) / 100 : null })
  const rel = (ms: number): number => Math.round(ms - startMs)
  const summary = {
    scenario: scenario.name,
    description: scenario.description,
    mode: 'cluster',
    seed,
    nodes,
    durationMs,
    reproduce,
    pass,
    options: { agents: 'healthmon agent, profile local-test with lan anti-entropy and reconnect intervals, 127.0.0.1', pollMs, checks: checkOptions, steps: applied, skipped },
    boot: { convergedAfterMs: Math.round(bootMs), scenarioStartsAtMs: startMs },
    detection: detectionSection(checks.detection),
    qos: computeQos(trace, faults, checkOptions, nodes, startMs, endMs),
    falseSuspects: checks.falseDeaths.falseSuspects,
    falseDeaths: checks.falseDeaths.falseDeaths,
    falseAlarms: checks.flapping.falseAlarms,
    falseAlarmsDuringLinkFaults: checks.flapping.falseAlarmsDuringLinkFaults,
    traffic: {
      source: 'GET /metrics (healthmon_heartbeats_*_total) at the scenario start and end; bytes are not exported',
      nodeSeconds: Math.round(upSeconds),
      heartbeatsSentPerNodePerSecond: Math.round(((m1.sent - m0.sent) / upSeconds) * 100) / 100,
      heartbeatsReceivedPerNodePerSecond: Math.round(((m1.received - m0.received) / upSeconds) * 100) / 100,
      cpuPercentOfCorePerAgent: cpu
    },
    convergence: { fromMs: rel(checks.convergence.referenceMs), timeToConvergeMs: checks.convergence.timeToConvergeMs === null ? null : Math.round(checks.convergence.timeToConvergeMs) },
    targets: { deadP99WithinMs: 5000, zeroFalseDeaths: true },
    checks: checksSection(checks),
    faults: faults.faults.map((f) => ({ node: ids[f.node], kind: f.kind, fromMs: rel(f.fromMs), toMs: Number.isFinite(f.toMs) ? rel(f.toMs) : null })),
    trace: { events: trace.length, sha256: trace.digest(), note: 'state changes as polled from each socket; wall-clock times, not deterministic' },
    run: { wallMs: Math.round(wallEndMs), node: process.version }
  }
  const svg = await renderSvg({
    title: `${scenario.name} on ${nodes} real agents (seed ${seed}, ${formatDuration(durationMs)}) — ${pass ? 'PASS' : 'FAIL'}`,
    trace, faults, nodes, fromMs: Math.max(0, startMs - 5000), toMs: endMs, originMs: startMs,
    suspectMs: checks.detection.suspectMs, deadMs: checks.detection.deadMs
  })
  mkdirSync(values.out, { recursive: true })
  const base = join(values.out, `${scenario.name}-${nodes}-${seed}`)
  writeFileSync(`${base}.json`, `${JSON.stringify(summary, null, 2)}\n`)
  writeFileSync(`${base}.svg`, svg)
  const d = summary.detection as { suspectMs: { p50: number | null; p99: number | null; max: number | null }; deadMs: { p50: number | null; p99: number | null; max: number | null }; observerPairs: number }
  console.log(`detection suspect p50/p99/max ${d.suspectMs.p50}/${d.suspectMs.p99}/${d.suspectMs.max} ms, dead ${d.deadMs.p50}/${d.deadMs.p99}/${d.deadMs.max} ms over ${d.observerPairs} observer pairs (polled every ${pollMs} ms)`)
  console.log(`qos       ${describeQos(summary.qos)}`)
  console.log(`false     ${checks.falseDeaths.falseDeaths} deaths, ${checks.falseDeaths.falseSuspects} suspects, ${checks.flapping.falseAlarms} false alarms`)
  console.log(`          (${describeFalseAlarms(checks.flapping)})`)
  console.log(`traffic   ${summary.traffic.heartbeatsSentPerNodePerSecond} heartbeats/s sent, ${summary.traffic.heartbeatsReceivedPerNodePerSecond} received per agent`)
  for (const check of [checks.falseDeaths, checks.detection, checks.convergence, checks.flapping]) console.log(`check     ${check.pass ? 'PASS' : 'FAIL'} ${check.name}`)
  console.log(`wrote     ${base}.json and ${base}.svg`)
  console.log(`${pass ? 'PASS' : 'FAIL'} ${reproduce}`)
  exitCode = pass ? 0 : 1
} catch (err) {
  console.error(`cluster run failed: ${(err as Error).stack ?? String(err)}`)
} finally {
  await close()
}
process.exit(exitCode)
