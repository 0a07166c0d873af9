/**
 * soak (issue 11): real agents under chaos, load and attack, one JSON line at the end.
 *
 *   node scripts/soak.ts [--duration 10m] [--nodes 10] [--rate 1000] [--seed 1]
 *
 * - 10 real `healthmon agent` processes on 127.0.0.1 (src/sim/process-cluster.ts, profile
 *   local-test) sharing a cluster key;
 * - chaos on a minority (the last 3 agents, at most 2 at once, seeded): SIGKILL and restart 20 s
 *   later, SIGSTOP for 1-2.5 s (a pause the detector must survive), graceful restart (SIGTERM);
 * - `--rate` socket requests per second spread over the 7 stable agents (self, view, health,
 *   peer, metrics);
 * - one outsider, a libp2p node without the key, dialling every agent and publishing;
 * - one member holding the key, never announced, running scripts/attack.ts's attacks in turn.
 * Reported: false deaths (a peer:dead event about an agent that was not killed), missed deaths
 * (an observer that did not show a killed agent dead 15 s after the kill), outsider connections
 * and messages accepted (its id in any view), phantom members (ids in views that are no agent),
 * RSS growth per agent from the end of warm-up to the end (agents not restarted meanwhile), with
 * each agent's RSS and heap sampled every 10 s (memorySeries: whether the growth levels off, and
 * the heap's low points per third of the run, which rise only if something is retained),
 * unhandled errors in the agents' logs and unexpected exits, and the request load achieved.
 * Every loop is bounded by the duration; every agent is ended by its pid on exit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { ClusterView, EventsResponse } from '../src/api/protocol.ts'
import { sleep, systemClock } from '../src/runtime/clock.ts'
import { silentLogger } from '../src/runtime/logger.ts'
import { seededRandom } from '../src/runtime/random.ts'
import { Attacker } from '../src/sim/attacker.ts'
import { ProcessCluster, type AgentProcess } from '../src/sim/process-cluster.ts'
import { createLibp2pTransport, type Libp2pTransport } from '../src/transport/libp2p-transport.ts'
import { generateClusterKey, loadClusterKey } from '../src/transport/node-key.ts'
import { metricMb, procMemoryMb, summarizeMemory, type MemorySample } from './lib/memory-series.ts'

const { values } = parseArgs({ options: {
  duration: { type: 'string', default: '10m' }, nodes: { type: 'string', default: '10' }, rate: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' }
} })

function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text)
  if (m === null) throw new Error(`--duration: expected e.g. 600s, 10m or 600000, got ${text}`)
  return Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 'ms'] ?? 1)
}

const durationMs = parseDuration(values.duration)
const size = Number(values.nodes)
const rate = Number(values.rate)
const random = seededRandom(Number(values.seed))
const clock = systemClock()
const CLUSTER = 'default'
const CHAOS_TARGETS = Math.max(1, Math.min(3, Math.floor((size - 1) / 3)))
const KILL_DOWN_MS = 20_000
const DEATH_CHECK_MS = 15_000
const warmupMs = Math.min(60_000, Math.floor(durationMs / 4))
const MEMORY_SAMPLE_MS = 10_000

interface Fault { index: number; kind: 'kill' | 'stop' | 'restart'; atMs: number; untilMs: number | undefined }

const faults: Fault[] = []
const report = {
  falseDeaths: 0, falseDeathSamples: [] as string[],
  missedDeaths: 0, deathChecks: 0, detectedWithinMs: [] as number[],
  outsider: { dialsTried: 0, dialsSucceeded: 0, maxConnections: 0, publishes: 0, seenInViews: 0 },
  attacker: { attacksSent: 0, byKind: {} as Record<string, number> },
  phantomMembers: new Set<string>(),
  requests: { sent: 0, answered: 0, errors: 0, skipped: 0, statuses: {} as Record<string, number> },
  unhandledErrors: 0, errorLogLines: 0, errorSamples: [] as string[], unexpectedExits: 0
}

// Short paths: a unix socket path must fit in 107 bytes.
const baseDir = mkdtempSync(join(tmpdir(), 'hm-soak-'))
const keyFile = join(baseDir, 'cluster.key')
writeFileSync(keyFile, generateClusterKey(), { mode: 0o600 })
const cluster = new ProcessCluster({ size, clock, baseDir, args: ['--cluster-key-file', keyFile] })

let stopping = false
const transports: Libp2pTransport[] = []
async function shutdown(): Promise<void> {
  stopping = true
  for (const t of transports) await t.stop().catch(() => {})
  await cluster.close()
  rmSync(baseDir, { recursive: true, force: true })
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => { void shutdown().finally(() => process.exit(1)) })

/** Watches a freshly spawned agent: its log for errors, its exit for crashes we did not cause. */
const watched = new WeakSet<object>()
const expectedExit = new WeakSet<object>()
function watch(agent: AgentProcess): void {
  const child = agent.child
  if (child === undefined || watched.has(child)) return
  watched.add(child)
  child.stderr?.on('data', (chunk: string | Buffer) => {
    for (const line of String(chunk).split('\n')) {
      if (line === '') continue
      if (/uncaught|unhandled/i.test(line)) report.unhandledErrors++
      if (/"level":(50|60)/.test(line)) {
        report.errorLogLines++
        if (report.errorSamples.length < 10) report.errorSamples.push(`${agent.name}: ${line.slice(0, 300)}`)
      }
    }
  })
  child.once('exit', () => { if (!expectedExit.has(child) && !stopping) report.unexpectedExits++ })
}

function get(socket: string, path: string, agent?: Agent, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, agent: agent ?? false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`${path} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

/** The agent's own figure for its live JS heap (nodejs_heap_size_used_bytes), in MB, after its latest GC. */
async function heapUsedMb(a: AgentProcess): Promise<number | undefined> {
  const answer = await get(a.socket, '/metrics').catch(() => undefined)
  const bytes = answer === undefined ? undefined : /^nodejs_heap_size_used_bytes (\S+)$/m.exec(answer.body)?.[1]
  return bytes === undefined ? undefined : Math.round(Number(bytes) / 1024 / 102.4) / 10
}

const up = (a: AgentProcess): boolean => a.child !== undefined && a.child.exitCode === null && a.child.signalCode === null
const rssKb = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1])
  } catch {
    return undefined
  }
}

try {
  await cluster.start(60_000)
  for (const a of cluster.agents) watch(a)
  const agents = cluster.agents
  const ids = new Map<string, number>()
  // waitForView polls (bounded): on a loaded machine one answer can take longer than a single call waits.
  for (const a of agents) ids.set((await cluster.waitForView(a, 30_000)).self.id, a.index)
  const idOf = new Map([...ids].map(([id, i]) => [i, id]))
  const converged = await cluster.waitUntil(agents, (v) => v.peers.filter((p) => p.state === 'alive').length === size - 1, 60_000)
  if (converged === undefined) throw new Error('the cluster did not converge')
  const stable = agents.slice(0, size - CHAOS_TARGETS)
  const targets = agents.slice(size - CHAOS_TARGETS)
  const startedAt = clock.now()
  const endAt = startedAt + durationMs
  const running = (): boolean => !stopping && clock.now() < endAt

  // --- outsider (no key) and attacker (with the key) -------------------------------------------
  const transportOptions = { listen: ['/ip4/127.0.0.1/tcp/0'], allowPeers: [], messageBytesMax: 65_536, inboundConnectionsPerHostPerSecondMax: 10_000, gossipIpColocationPenalty: false, clock, logger: silentLogger() }
  const outsiderTransport = await createLibp2pTransport({ ...transportOptions, privateKey: await generateKeyPair('Ed25519') })
  const attackerTransport = await createLibp2pTransport({ ...transportOptions, privateKey: await generateKeyPair('Ed25519'), clusterKey: loadClusterKey(keyFile) })
  transports.push(outsiderTransport, attackerTransport)
  await outsiderTransport.start()
  await attackerTransport.start()
  const outsider = new Attacker(outsiderTransport, CLUSTER)
  outsider.listen()
  const mallory = new Attacker(attackerTransport, CLUSTER)
  mallory.listen()
  for (const a of agents) await attackerTransport.dial(a.addr!).catch(() => undefined)

  const outsiderLoop = (async () => {
    while (running()) {
      for (const a of agents.filter(up)) {
        report.outsider.dialsTried++
        if (await outsiderTransport.dial(a.addr!).then(() => true, () => false)) report.outsider.dialsSucceeded++
      }
      report.outsider.maxConnections = Math.max(report.outsider.maxConnections, outsiderTransport.connectedPeers().length)
      await outsider.heartbeat().catch(() => undefined)
      await outsider.verdicts(Attacker.phantomIds(5, 'outsider'), 'alive').catch(() => undefined)
      report.outsider.publishes += 6
      await sleep(clock, 2000)
    }
  })()

  const realIds = [...ids.keys()]
  const attackLoop = (async () => {
    let round = 0
    while (running()) {
      const victimId = realIds[random.int(realIds.length)]!
      const victim = { id: victimId, name: `node-${ids.get(victimId)}`, incarnation: 1 }
      const peer = realIds[random.int(realIds.length)]!
      const attacks: [string, () => Promise<unknown>][] = [
        ['phantom-verdicts', () => mallory.verdicts(Attacker.phantomIds(50, `v${round}`), 'alive')],
        ['phantom-digest', () => mallory.digest(peer, Attacker.phantomRows(Attacker.phantomIds(200, `d${round}`)))],
        ['forged-proofs', () => mallory.digest(peer, Attacker.phantomRows(Attacker.phantomIds(100, `f${round}`), { forgedProof: true }))],
        ['poison-incarnation', () => mallory.verdicts([victimId], 'dead', Attacker.POISON_INCARNATIONS[round % 4]!)],
        ['non-observer-dead', () => mallory.verdicts([victimId], 'dead', 1)],
        ['forged-leave', () => mallory.digest(peer, [Attacker.forgedLeaveRow(victim)])],
        ['redirect', () => mallory.digest(peer, [Attacker.redirectRow(victim, ['/ip4/127.0.0.1/tcp/9'])])],
        ['foreign-heartbeat-topic', () => mallory.heartbeat(victimId)]
      ]
      const [kind, run] = attacks[round % attacks.length]!
      await run().catch(() => undefined)
      report.attacker.attacksSent++
      report.attacker.byKind[kind] = (report.attacker.byKind[kind] ?? 0) + 1
      round++
      await sleep(clock, 3000)
    }
  })()

  // --- chaos on a minority ---------------------------------------------------------------------
  const busy = new Set<number>()
  const chaosLoop = (async () => {
    await sleep(clock, Math.min(20_000, warmupMs))
    while (running()) {
      const free = targets.filter((a) => !busy.has(a.index) && up(a))
      if (busy.size < 2 && free.length > 0 && clock.now() + KILL_DOWN_MS + DEATH_CHECK_MS < endAt) {
        const agent = free[random.int(free.length)]!
        const roll = random.int(3)
        busy.add(agent.index)
        const fault: Fault = { index: agent.index, kind: roll === 0 ? 'kill' : roll === 1 ? 'stop' : 'restart', atMs: clock.now(), untilMs: undefined }
        faults.push(fault)
        void (async () => {
          try {
            if (fault.kind === 'kill') {
              if (agent.child !== undefined) expectedExit.add(agent.child)
              await cluster.kill(agent)
              fault.atMs = clock.now()
              await sleep(clock, DEATH_CHECK_MS)
              // Every observer that stayed up meanwhile must show it dead by now.
              const observers = agents.filter((a) => a !== agent && up(a) && !faults.some((f) => f.index === a.index && f.kind !== 'stop' && (f.untilMs === undefined || f.untilMs > fault.atMs)))
              const views = await Promise.all(observers.map((a) => cluster.view(a).catch(() => undefined)))
              for (const v of views) {
                if (v === undefined) continue
                report.deathChecks++
                if (v.peers.find((p) => p.id === idOf.get(agent.index))?.state !== 'dead') report.missedDeaths++
              }
              await sleep(clock, KILL_DOWN_MS - DEATH_CHECK_MS)
              await cluster.restart(agent, 60_000)
              watch(agent)
            } else if (fault.kind === 'stop') {
              cluster.signal(agent, 'SIGSTOP')
              await sleep(clock, 1000 + random.int(1500))
              cluster.signal(agent, 'SIGCONT')
            } else {
              if (agent.child !== undefined) expectedExit.add(agent.child)
              await cluster.terminate(agent)
              await cluster.restart(agent, 60_000)
              watch(agent)
            }
          } catch (err) {
            if (report.errorSamples.length < 10) report.errorSamples.push(`chaos ${fault.kind} ${agent.name}: ${String(err)}`)
          } finally {
            fault.untilMs = clock.now()
            busy.delete(agent.index)
          }
        })()
      }
      await sleep(clock, 8000 + random.int(8000))
    }
  })()

  // --- false deaths, phantoms, outsider in views -------------------------------------------------
  /** Was agent `index` down (killed, or stopping for a restart) at `atMs`, allowing for detection time? */
  const wasDown = (index: number, atMs: number): boolean => faults.some((f) => f.index === index && f.kind !== 'stop' && f.atMs - 1000 <= atMs && (f.untilMs === undefined || atMs <= f.untilMs + 10_000))
  const lastEvent = new Map<object, number>()
  const watchLoop = (async () => {
    while (running()) {
      for (const a of agents.filter(up)) {
        const child = a.child!
        const after = lastEvent.get(child) ?? 0
        const answer = await get(a.socket, `/v1/events?after=${after}&limit=1000`).catch(() => undefined)
        if (answer === undefined || answer.status !== 200) continue
        const events = JSON.parse(answer.body) as EventsResponse
        for (const e of events.events) {
          lastEvent.set(child, Math.max(lastEvent.get(child) ?? 0, e.id))
          if (e.type !== 'peer:dead') continue
          const peer = (e.data as { peer: string }).peer
          const index = ids.get(peer)
          if (index === undefined) continue
          if (!wasDown(index, Date.parse(e.at))) {
            report.falseDeaths++
            if (report.falseDeathSamples.length < 10) report.falseDeathSamples.push(`${a.name} declared node-${index} dead at ${e.at}`)
          }
        }
        const view = await get(a.socket, '/v1/view').then((r) => JSON.parse(r.body) as ClusterView).catch(() => undefined)
        for (const p of view?.peers ?? []) {
          if (p.id === outsiderTransport.peerId) report.outsider.seenInViews++
          else if (!ids.has(p.id) && p.id !== attackerTransport.peerId) report.phantomMembers.add(p.id)
        }
      }
      await sleep(clock, 2000)
    }
  })()

  // --- socket load -----------------------------------------------------------------------------
  const httpAgents = new Map(stable.map((a) => [a.index, new Agent({ keepAlive: true, maxSockets: 8 })]))
  let inflight = 0
  const TICK_MS = 20
  const perTick = Math.max(1, Math.round(rate * TICK_MS / 1000))
  // 'peer' asks each agent about the next agent (a peer it knows), not about itself.
  const paths = ['/v1/self', '/v1/self', '/v1/view', '/v1/view', '/v1/health', '/v1/health', 'peer', '/metrics']
  const loadLoop = (async () => {
    let tick = 0
    const loadStart = clock.now()
    while (running()) {
      for (let i = 0; i < perTick; i++) {
        if (inflight >= 256) {
          report.requests.skipped++
          continue
        }
        const agent = stable[(tick * perTick + i) % stable.length]!
        const pick = paths[(tick + i) % paths.length]!
        const path = pick === 'peer' ? `/v1/peers/${idOf.get((agent.index + 1) % size)}` : pick
        inflight++
        report.requests.sent++
        get(agent.socket, path, httpAgents.get(agent.index)).then((r) => {
          report.requests.answered++
          report.requests.statuses[r.status] = (report.requests.statuses[r.status] ?? 0) + 1
        }, () => { report.requests.errors++ }).finally(() => { inflight-- })
      }
      tick++
      // Paced against the start, so a slow tick is caught up rather than lost.
      await sleep(clock, Math.max(0, loadStart + tick * TICK_MS - clock.now()))
    }
  })()

  // --- memory of every agent over the run, per process (a restarted agent starts a new series) ---
  const memory = new Map<number, { index: number; samples: MemorySample[] }>()
  const memoryLoop = (async () => {
    while (running()) {
      for (const a of agents) {
        // Checked per agent: chaos may have killed it while the previous one was being read.
        const pid = up(a) ? a.child?.pid : undefined
        if (pid === undefined) continue
        const mem = procMemoryMb(pid)
        const metrics = await get(a.socket, '/metrics').catch(() => undefined)
        if (mem === undefined) continue
        const series = memory.get(pid) ?? { index: a.index, samples: [] }
        series.samples.push({ atMs: clock.now() - startedAt, ...mem, heapUsedMb: metrics && metricMb(metrics.body, 'nodejs_heap_size_used_bytes'), heapTotalMb: metrics && metricMb(metrics.body, 'nodejs_heap_size_total_bytes') })
        memory.set(pid, series)
      }
      await sleep(clock, MEMORY_SAMPLE_MS)
    }
  })()

  // --- RSS after warm-up and at the end ----------------------------------------------------------
  await sleep(clock, warmupMs)
  const rssAtWarmup = new Map(agents.map((a) => [a.index, { pid: a.child?.pid, kb: rssKb(a.child?.pid) }]))
  const heapAtWarmup = new Map(await Promise.all(agents.map(async (a) => [a.index, await heapUsedMb(a)] as const)))
  await Promise.all([outsiderLoop, attackLoop, chaosLoop, watchLoop, loadLoop, memoryLoop])
  // Let the last chaos action finish (a restart in flight), bounded.
  for (let i = 0; i < 120 && busy.size > 0; i++) await sleep(clock, 500)
  const loadSeconds = (clock.now() - startedAt) / 1000
  const rss: Record<string, { warmupMb: number; endMb: number; growthPercent: number; heapUsedWarmupMb: number | undefined; heapUsedEndMb: number | undefined }> = {}
  for (const a of agents) {
    const before = rssAtWarmup.get(a.index)
    if (before?.pid === undefined || before.pid !== a.child?.pid || before.kb === undefined) continue
    const end = rssKb(a.child?.pid)
    if (end === undefined) continue
    rss[a.name] = {
      warmupMb: Math.round(before.kb / 102.4) / 10, endMb: Math.round(end / 102.4) / 10, growthPercent: Math.round((end - before.kb) / before.kb * 1000) / 10,
      heapUsedWarmupMb: heapAtWarmup.get(a.index), heapUsedEndMb: await heapUsedMb(a)
    }
  }
  for (const h of httpAgents.values()) h.destroy()
  // The same growth seen through the series: does it level off after warm-up, do the heap's low points rise?
  const series: Record<string, unknown> = {}
  for (const a of agents) {
    const pid = a.child?.pid
    const s = pid === undefined || rssAtWarmup.get(a.index)?.pid !== pid ? undefined : memory.get(pid)
    const summary = s === undefined ? undefined : summarizeMemory(s.samples, warmupMs)
    if (summary !== undefined) series[a.name] = summary
  }
  const growths = Object.values(rss).map((r) => r.growthPercent)
  console.log(JSON.stringify({
    script: 'soak',
    conditions: { durationMs, nodes: size, chaosTargets: CHAOS_TARGETS, warmupMs, cores: cpus().length, loadavgAtEnd: loadavg().map((l) => Math.round(l * 100) / 100), seed: Number(values.seed) },
    chaos: { kills: faults.filter((f) => f.kind === 'kill').length, stops: faults.filter((f) => f.kind === 'stop').length, restarts: faults.filter((f) => f.kind === 'restart').length },
    falseDeaths: report.falseDeaths, falseDeathSamples: report.falseDeathSamples,
    missedDeaths: report.missedDeaths, deathChecks: report.deathChecks,
    outsider: { ...report.outsider, messagesAccepted: report.outsider.seenInViews },
    attacker: report.attacker,
    phantomMembers: report.phantomMembers.size,
    requests: { targetPerSecond: rate, ...report.requests, achievedPerSecond: Math.round(report.requests.answered / loadSeconds) },
    rssGrowth: { maxPercent: growths.length === 0 ? null : Math.max(...growths), perAgent: rss },
    memorySeries: { sampleMs: MEMORY_SAMPLE_MS, perAgent: series },
    unhandledErrors: report.unhandledErrors, errorLogLines: report.errorLogLines, errorSamples: report.errorSamples, unexpectedExits: report.unexpectedExits
  }))
} finally {
  await shutdown()
}
process.exit(0)
