/**
 * bench-detect: detection latency and idle cost on N real agents (default 10) on 127.0.0.1.
 *
 *   node scripts/bench-detect.ts [--nodes 10] [--idle-seconds 40] [--pause-ms 3000] [--launch main|bin|node-bin]
 *
 * --launch: how each agent starts. `main` (default) is `node --max-semi-space-size=1
 * src/cli/main.ts agent`, as the simulator's cluster runs it; `bin` runs the built package's bin
 * itself (`dist/cli/healthmon.js agent`, its shebang, as an installed `healthmon agent`; run `npm
 * run build` first and have Node 24 first on PATH); `node-bin` is `node dist/cli/healthmon.js
 * agent` with no flags (the agent re-executes itself with its heap flags).
 *
 * 1. Starts N agents (profile local-test, default detection settings, 1 s heartbeats), waits
 *    until every agent sees every other alive, lets the cluster settle.
 * 2. Idle cost: CPU % of one core and RSS per agent over --idle-seconds, from /proc.
 * 3. SIGKILLs one agent and polls every live agent's socket (GET /v1/view, exactly what
 *    `healthmon status --json` prints) every 50 ms: per observer, the time until it shows the
 *    victim suspect and dead; time to converge = until all show dead.
 * 4. SIGSTOPs another agent for --pause-ms, SIGCONTs it, and watches for 10 s more: any agent
 *    that shows it dead is a false death.
 * 5. In the order an operator meets it: SIGSTOPs an agent for --pause-ms again, and right after
 *    SIGCONT SIGKILLs another: per observer suspect and dead times (the resumed agent, whose
 *    awareness was raised by its pause, is the one to watch: `resumedObserver`).
 * 6. A hung host: SIGSTOPs one more agent and never resumes it: per observer suspect and dead.
 * Prints one JSON line. All processes are ended by pid on exit.
 */
import { parseArgs } from 'node:util'
import type { ClusterView, PeerState } from '../src/api/protocol.ts'
import { sleep, systemClock } from '../src/runtime/clock.ts'
import { ProcessCluster, type AgentProcess } from '../src/sim/process-cluster.ts'
import { cpuPercent, sampleProcess } from '../src/sim/proc-stats.ts'
import { fileURLToPath } from 'node:url'

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '10' },
    'idle-seconds': { type: 'string', default: '40' },
    'pause-ms': { type: 'string', default: '3000' },
    'poll-ms': { type: 'string', default: '50' },
    launch: { type: 'string', default: 'main' }
  }
})
const launch = values.launch
if (launch !== 'main' && launch !== 'bin' && launch !== 'node-bin') throw new Error('--launch must be main, bin or node-bin')
const BIN = fileURLToPath(new URL('../dist/cli/healthmon.js', import.meta.url))
const nodes = Number(values.nodes)
const idleMs = Number(values['idle-seconds']) * 1000
const pauseMs = Number(values['pause-ms'])
const pollMs = Number(values['poll-ms'])
const clock = systemClock()

const stateIn = (v: ClusterView | undefined, id: string): PeerState | undefined => v?.peers.find((p) => p.id === id)?.state
const percentile = (xs: number[], p: number): number | null => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!
}
const round = (x: number | null, d = 0): number | null => (x === null ? null : Math.round(x * 10 ** d) / 10 ** d)

// The process cluster runs agents with the local-test profile (loopback, ephemeral ports, no
// per-host connection cap); the bench puts back the lan defaults that profile changes for speed,
// so what is measured is the default configuration.
const lanDefaults = { HEALTHMON_ANTI_ENTROPY_INTERVAL_MS: '5000', HEALTHMON_RECONNECT_INTERVAL_MS: '30000' }
const cluster = new ProcessCluster({
  size: nodes, clock, env: lanDefaults,
  ...(launch === 'bin' ? { entry: BIN, launch: 'exec' as const } : launch === 'node-bin' ? { entry: BIN, nodeFlags: [] } : {})
})
const cleanup = async () => { await cluster.close() }
process.on('SIGINT', () => { void cleanup().then(() => process.exit(130)) })

try {
  const t0 = clock.now()
  await cluster.start(60_000)
  const converged = await cluster.waitUntil(cluster.agents, (v) => v.peers.length === nodes - 1 && v.peers.every((p) => p.state === 'alive'), 60_000)
  if (converged === undefined) throw new Error('cluster did not converge in 60 s')
  const startupToConvergedMs = clock.now() - t0
  await sleep(clock, 5000)

  // Idle cost.
  const pids = cluster.agents.map((a) => a.child!.pid!)
  const before = pids.map((pid) => sampleProcess(pid)!)
  const idleStart = clock.now()
  await sleep(clock, idleMs)
  const after = pids.map((pid) => sampleProcess(pid)!)
  const idleElapsed = clock.now() - idleStart
  const cpu = before.map((b, i) => cpuPercent(b, after[i]!, idleElapsed))
  const rssMb = after.map((s) => s.rssBytes / 1048576)

  /** Per observer, ms from `act()` until it shows `victim` suspect and dead (polled every pollMs, at most 30 s). */
  const detect = async (victim: AgentProcess, observers: AgentProcess[], act: () => Promise<void> | void) => {
    const id = ids.get(victim)!
    const suspectAt = new Map<AgentProcess, number>()
    const deadAt = new Map<AgentProcess, number>()
    const at = clock.now()
    await act()
    while (deadAt.size < observers.length && clock.now() - at < 30_000) {
      const views = await Promise.all(observers.map((a) => cluster.view(a).catch(() => undefined)))
      const now = clock.now() - at
      observers.forEach((a, i) => {
        const st = stateIn(views[i], id)
        if ((st === 'suspect' || st === 'dead') && !suspectAt.has(a)) suspectAt.set(a, now)
        if (st === 'dead' && !deadAt.has(a)) deadAt.set(a, now)
      })
      await sleep(clock, pollMs)
    }
    const summary = (m: Map<AgentProcess, number>) => {
      const per = observers.map((a) => m.get(a) ?? null)
      const xs = per.filter((x): x is number => x !== null)
      return { perObserver: per.map((x) => round(x)), p50: round(percentile(xs, 50)), max: xs.length === observers.length ? round(Math.max(...xs)) : null, missing: observers.length - xs.length }
    }
    return { observers: observers.map((a) => a.name), suspectMs: summary(suspectAt), deadMs: summary(deadAt), deadAt }
  }

  // Crash detection.
  const ids = new Map<AgentProcess, string>()
  for (const a of cluster.agents) ids.set(a, (await cluster.view(a)).self.id)
  const victim = cluster.agents[nodes - 1]!
  const victimId = ids.get(victim)!
  const observers = cluster.agents.filter((a) => a !== victim)
  const suspectMs = new Map<AgentProcess, number>()
  const deadMs = new Map<AgentProcess, number>()
  const killAt = clock.now()
  await cluster.kill(victim)
  while (deadMs.size < observers.length && clock.now() - killAt < 30_000) {
    const views = await Promise.all(observers.map((a) => cluster.view(a).catch(() => undefined)))
    const now = clock.now() - killAt
    observers.forEach((a, i) => {
      const s = stateIn(views[i], victimId)
      if ((s === 'suspect' || s === 'dead') && !suspectMs.has(a)) suspectMs.set(a, now)
      if (s === 'dead' && !deadMs.has(a)) deadMs.set(a, now)
    })
    await sleep(clock, pollMs)
  }
  const suspect = observers.map((a) => suspectMs.get(a) ?? null)
  const dead = observers.map((a) => deadMs.get(a) ?? null)
  const deadValues = dead.filter((x): x is number => x !== null)
  const suspectValues = suspect.filter((x): x is number => x !== null)

  // A 3 s pause must not be declared dead.
  const paused = cluster.agents[0]!
  const pausedId = ids.get(paused)!
  const watchers = observers.filter((a) => a !== paused)
  const falseDead = new Set<string>()
  const falseSuspect = new Set<string>()
  cluster.signal(paused, 'SIGSTOP')
  const pauseStart = clock.now()
  const watchUntil = pauseStart + pauseMs + 10_000
  let continued = false
  while (clock.now() < watchUntil) {
    if (!continued && clock.now() - pauseStart >= pauseMs) {
      cluster.signal(paused, 'SIGCONT')
      continued = true
    }
    const views = await Promise.all(watchers.map((a) => cluster.view(a).catch(() => undefined)))
    watchers.forEach((a, i) => {
      const s = stateIn(views[i], pausedId)
      if (s === 'dead') falseDead.add(a.name)
      if (s === 'suspect') falseSuspect.add(a.name)
    })
    await sleep(clock, pollMs)
  }

  // A kill right after a pause: the resumed agent observes with its awareness raised.
  const resumed = cluster.agents[0]!
  const killedAfterPause = cluster.agents[nodes - 2]!
  const afterPauseObservers = cluster.agents.filter((a) => a !== victim && a !== killedAfterPause)
  cluster.signal(resumed, 'SIGSTOP')
  await sleep(clock, pauseMs)
  cluster.signal(resumed, 'SIGCONT')
  const killAfterPause = await detect(killedAfterPause, afterPauseObservers, () => cluster.kill(killedAfterPause))
  // A hung host: stopped, never resumed.
  const hung = cluster.agents[nodes - 3]!
  const hangObservers = afterPauseObservers.filter((a) => a !== hung)
  const hang = await detect(hung, hangObservers, () => cluster.signal(hung, 'SIGSTOP'))
  const { deadAt: _k, ...killAfterPauseOut } = killAfterPause
  const { deadAt: _h, ...hangOut } = hang

  console.log(JSON.stringify({
    bench: 'detect',
    nodes,
    heartbeatIntervalMs: 1000,
    settings: 'defaults (profile lan detection and anti-entropy) on 127.0.0.1',
    launch: launch === 'main' ? 'node --max-semi-space-size=1 src/cli/main.ts agent' : launch === 'bin' ? 'dist/cli/healthmon.js agent (the bin, by its shebang)' : 'node dist/cli/healthmon.js agent',
    startupToConvergedMs: Math.round(startupToConvergedMs),
    crash: {
      suspectMs: { perObserver: suspect.map((x) => round(x)), p50: round(percentile(suspectValues, 50)), max: round(percentile(suspectValues, 100)) },
      deadMs: { perObserver: dead.map((x) => round(x)), p50: round(percentile(deadValues, 50)), max: round(percentile(deadValues, 100)) },
      convergeMs: deadValues.length === observers.length ? round(Math.max(...deadValues)) : null,
      targets: { suspectWithinMs: 2500, deadWithinMs: 5000, met: suspectValues.length === observers.length && Math.max(...suspectValues) <= 2500 && deadValues.length === observers.length && Math.max(...deadValues) <= 5000 }
    },
    pause: { pauseMs, falseDeaths: falseDead.size, agentsShowingSuspect: falseSuspect.size, met: falseDead.size === 0 },
    killAfterPause: { ...killAfterPauseOut, resumedObserver: { name: resumed.name, deadMs: round(killAfterPause.deadAt.get(resumed) ?? null) } },
    hang: { ...hangOut, targets: { deadWithinMs: 3500, met: hang.deadMs.max !== null && hang.deadMs.max <= 3500 } },
    idle: {
      seconds: idleElapsed / 1000,
      cpuPercentOfCore: { perAgent: cpu.map((x) => round(x, 2)), mean: round(cpu.reduce((a, b) => a + b, 0) / cpu.length, 2), max: round(Math.max(...cpu), 2) },
      rssMb: { perAgent: rssMb.map((x) => round(x, 1)), mean: round(rssMb.reduce((a, b) => a + b, 0) / rssMb.length, 1), max: round(Math.max(...rssMb), 1) },
      targets: { cpuPercentMax: 1.5, rssMbMax: 120, met: Math.max(...cpu) <= 1.5 && Math.max(...rssMb) <= 120 }
    },
    pollMs
  }))
} finally {
  await cleanup()
}
