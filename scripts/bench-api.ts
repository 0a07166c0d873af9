/**
 * bench-api: GET /v1/view throughput and latency on an agent whose view holds 100 peers, while
 * it gossips, measured over its unix socket and over its read-only TCP listener.
 *
 *   node scripts/bench-api.ts [--peers 100] [--agents 3] [--duration 10] [--connections 4]
 *                             [--runs 3] [--rate 5000] [--cpu-prof DIR]
 *
 * 1. Starts --agents real `healthmon agent` processes (profile local-test with the lan
 *    anti-entropy and reconnect periods, as bench-detect does).
 * 2. Makes the measured agent's view hold --peers peers: the other agents, plus lightweight
 *    members run by helper processes (this file with --members): each is a real libp2p node
 *    (its own key, tcp + noise + yamux + gossipsub, the agent's own transport code) that joins
 *    through an agent, answers anti-entropy with its own digest entry, announces itself on the
 *    events topic, publishes a signed heartbeat every second on its own heartbeat topic with the
 *    wire codec, and answers pings. They run no detector of their own, so they publish no
 *    verdicts. About 25 such nodes fit in one process (DESIGN §5), so they are spread over
 *    ceil(n / 25) processes. Waits until the agent sees all of them alive.
 * 3. Closed loop: drives GET /v1/view with autocannon at full speed over --connections
 *    keep-alive connections (each sends its next request when the answer arrives), --runs times
 *    for --duration seconds each, and records every response time (autocannon's own histogram
 *    has 1 ms steps). The result is the median run by p99; every run is listed. The agent's CPU
 *    use and the whole machine's are sampled from /proc, with the load average: the load
 *    generator shares the machine's cores with the agent, and so does anything else running,
 *    which shows in the tail latency. The same runs are then made against the agent's read-only
 *    TCP listener (--http-listen on 127.0.0.1, the same request handling behind the listener's
 *    gate): the `tcp` section, which the target (>= 5,000 req/s, p99 <= 2 ms) is about.
 * 4. Open loop, with --rate N: the same number of runs on each listener at N requests per second
 *    fixed (scripts/lib/open-loop.ts), each request's latency taken from the time it was due, so
 *    a stall counts against every request it held up (a closed loop hides it: it stops sending).
 *    The `openLoop` section also gives the time from sending (the agent's share) and how late
 *    requests went out (the generator's share, and the wait for a free connection).
 * 5. Checks that heartbeat handling was unaffected: no peer:suspected or peer:dead event in the
 *    agent's event log during the load, every peer still alive after it, and the phi at which
 *    heartbeats arrived during the load (from the agent's /metrics histogram).
 * --cpu-prof DIR writes the measured agent's V8 CPU profile (node --cpu-prof) there when it is
 * stopped at the end. Prints one JSON line. Every process it starts is ended by its pid.
 *
 * Measured figures, and the conditions they depend on: README.md (bench-api).
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { generateKeyPair } from '@libp2p/crypto/keys'
import autocannon from 'autocannon'
import { ApiClient } from '../src/api/client.ts'
import { openLoopLoad } from './lib/open-loop.ts'
import { AGENT_NODE_FLAGS } from '../src/cli/agent-heap.ts'
import { API_PATHS, type ClusterView, type EventsResponse } from '../src/api/protocol.ts'
import { sleep, systemClock } from '../src/runtime/clock.ts'
import { silentLogger } from '../src/runtime/logger.ts'
import { cpuPercent, sampleProcess } from '../src/sim/proc-stats.ts'
import { freePort } from '../src/sim/free-port.ts'
import { ProcessCluster } from '../src/sim/process-cluster.ts'
import { encodeMessage, type WireMessage } from '../src/transport/codec.ts'
import { createLibp2pTransport } from '../src/transport/libp2p-transport.ts'
import { eventsTopic, heartbeatTopic, SYNC_PROTOCOL } from '../src/transport/topics.ts'
import type { Transport } from '../src/transport/types.ts'

const { values } = parseArgs({
  options: {
    peers: { type: 'string', default: '100' },
    agents: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    // Also load at this fixed rate, open loop (scripts/lib/open-loop.ts), after the closed-loop runs.
    rate: { type: 'string' },
    // Keep the converged cluster up this many seconds before loading it (to probe it by hand).
    hold: { type: 'string', default: '0' },
    // Write the agents' V8 CPU profiles (node --cpu-prof) to this directory; the measured agent's
    // is written when it is stopped gracefully at the end (the others are killed and write none).
    'cpu-prof': { type: 'string' },
    // Helper-process mode.
    members: { type: 'string' },
    join: { type: 'string', multiple: true },
    prefix: { type: 'string', default: 'm' },
    cluster: { type: 'string', default: 'default' }
  }
})
const clock = systemClock()
const SELF = fileURLToPath(import.meta.url)
const MEMBERS_PER_PROCESS = 25
const HEARTBEAT_INTERVAL_MS = 1000

// ---- helper process: lightweight members -----------------------------------------------------

async function runMembers(count: number, joins: string[], prefix: string, cluster: string): Promise<void> {
  const members: { transport: Transport; name: string; seq: number }[] = []
  const header = (m: { transport: Transport; seq: number }) => ({ cluster, sender: m.transport.peerId, incarnation: 1, seq: m.seq++ })
  const publish = (m: { transport: Transport }, topic: string, message: WireMessage) => m.transport.publish(topic, encodeMessage(message)).catch(() => undefined)
  for (let i = 0; i < count; i++) {
    const transport = await createLibp2pTransport({
      privateKey: await generateKeyPair('Ed25519'),
      listen: ['/ip4/127.0.0.1/tcp/0'],
      allowPeers: [],
      messageBytesMax: 65_536,
      inboundConnectionsPerHostPerSecondMax: 10_000,
      gossipIpColocationPenalty: false,
      clock,
      logger: silentLogger()
    })
    const member = { transport, name: `${prefix}${i}`, seq: 1 }
    transport.setValidator(() => 'accept')
    transport.onMessage(() => undefined)
    // Anti-entropy: answer with this member's own entry (it knows no one else).
    transport.handle(SYNC_PROTOCOL, async () => encodeMessage({
      type: 'digest', ...header(member),
      members: [{ id: transport.peerId, name: member.name, incarnation: 1, state: 'alive', addrs: transport.listenAddresses() }]
    }))
    await transport.start()
    transport.subscribe(eventsTopic(cluster))
    members.push(member)
    await transport.dial(joins[i % joins.length]!).catch(() => undefined)
  }
  const announce = (): void => {
    for (const m of members) void publish(m, eventsTopic(cluster), { type: 'join', ...header(m), name: m.name, addrs: m.transport.listenAddresses() })
  }
  const beat = (): void => {
    for (const m of members) void publish(m, heartbeatTopic(cluster, m.transport.peerId), { type: 'heartbeat', ...header(m), health: { status: 'healthy', checksFailing: 0 } })
  }
  await sleep(clock, 500)
  announce()
  beat()
  const timers = [clock.setInterval(beat, HEARTBEAT_INTERVAL_MS), clock.setInterval(announce, 5000)]
  process.stdout.write(`${JSON.stringify({ ready: members.length })}\n`)
  // Runs until its parent ends it (SIGTERM) or goes away (stdin closes).
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve)
    process.stdin.once('close', resolve)
    process.stdin.resume()
  })
  for (const t of timers) t.cancel()
  await Promise.allSettled(members.map((m) => m.transport.stop()))
  process.exit(0)
}

// ---- the bench -------------------------------------------------------------------------------

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineCpu(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number)
  const total = fields.reduce((a, b) => a + b, 0)
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0)
  return { busy: total - idle, total }
}

/** What the machine and the agent did during a run: sampled before and after it. */
interface RunConditions {
  loadAverage: number
  agentCpuPercent: number
  /** Of all cores (100 = every core busy). */
  machineCpuBusyPercent: number
}

interface Percentiles { p50: number; p90: number; p99: number; p999: number; max: number }

interface LoadRun extends RunConditions {
  requestsTotal: number
  requestsPerSec: number
  latencyMs: Percentiles
  errors: number
  timeouts: number
  non2xx: number
}

interface OpenLoopRun extends RunConditions {
  ratePerSec: number
  requestsTotal: number
  requestsPerSec: number
  /** From the time each request was due: what a client sending at this rate sees. */
  latencyMs: Percentiles
  /** From the time each request went out (the agent's share, with the network's). */
  serviceLatencyMs: Percentiles
  /** How late the generator sent (its own share of latencyMs). */
  sendLagMs: Percentiles
  unanswered: number
  errors: number
  non2xx: number
}

/** Where the load goes: the unix socket, or the TCP listener. */
type LoadTarget = { socketPath: string } | { host: string; port: number }

/** Runs `work`, with the load average before it and the agent's and machine's CPU over it. */
async function measured<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; elapsedMs: number; conditions: RunConditions }> {
  const loadAverage = loadavg()[0]!
  const agentBefore = sampleProcess(pid)
  const machineBefore = machineCpu()
  const startedMs = clock.now()
  const result = await work()
  const elapsedMs = clock.now() - startedMs
  const agentAfter = sampleProcess(pid)
  const machineAfter = machineCpu()
  return {
    result,
    elapsedMs,
    conditions: {
      loadAverage: round(loadAverage, 2),
      agentCpuPercent: agentBefore !== undefined && agentAfter !== undefined ? round(cpuPercent(agentBefore, agentAfter, elapsedMs), 0) : Number.NaN,
      machineCpuBusyPercent: round((100 * (machineAfter.busy - machineBefore.busy)) / Math.max(1, machineAfter.total - machineBefore.total), 0)
    }
  }
}

/** One autocannon run (closed loop) against the socket or the TCP listener, with every response time kept. */
async function load(target: LoadTarget, pid: number, options: { connections: number; durationS: number }): Promise<LoadRun> {
  const times: number[] = []
  const { result, elapsedMs, conditions } = await measured(pid, () => new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      ...('socketPath' in target ? { url: `http://localhost${API_PATHS.view}`, socketPath: target.socketPath } : { url: `http://${target.host}:${target.port}${API_PATHS.view}` }),
      connections: options.connections,
      pipelining: 1,
      duration: options.durationS
    }, (error, outcome) => (error === null || error === undefined ? resolve(outcome) : reject(error)))
    instance.on('response', (_client, _status, _bytes, responseTimeMs) => { times.push(responseTimeMs) })
  }))
  return {
    ...conditions,
    requestsTotal: result.requests.total,
    requestsPerSec: round(result.requests.total / (elapsedMs / 1000), 0),
    latencyMs: percentiles(Float64Array.from(times).sort()),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx
  }
}

/** One open-loop run at `ratePerSec` (scripts/lib/open-loop.ts). */
async function openLoad(target: LoadTarget, pid: number, options: { connections: number; durationS: number; ratePerSec: number }): Promise<OpenLoopRun> {
  const { result, conditions } = await measured(pid, () => openLoopLoad({ target, path: API_PATHS.view, clock, ...options }))
  return {
    ...conditions,
    ratePerSec: options.ratePerSec,
    requestsTotal: result.completed,
    requestsPerSec: round(result.completed / (result.elapsedMs / 1000), 0),
    latencyMs: percentiles(result.latencyMs),
    serviceLatencyMs: percentiles(result.serviceMs),
    sendLagMs: percentiles(result.sendLagMs),
    unanswered: result.unanswered,
    errors: result.errors,
    non2xx: result.non2xx
  }
}

const percentiles = (sorted: Float64Array): Percentiles => ({
  p50: round(percentile(sorted, 50)),
  p90: round(percentile(sorted, 90)),
  p99: round(percentile(sorted, 99)),
  p999: round(percentile(sorted, 99.9)),
  max: round(sorted.at(-1) ?? Number.NaN)
})
/** The open-loop runs: the median by p99 of each target; met: the rate held (99 %) with p99 <= 2 ms from the due time. */
function openLoopSection(ratePerSec: number, socketRuns: OpenLoopRun[], tcpRuns: OpenLoopRun[], medianOf: (all: OpenLoopRun[]) => OpenLoopRun) {
  const summary = (all: OpenLoopRun[]) => {
    const m = medianOf(all)
    const clean = all.every((r) => r.errors === 0 && r.non2xx === 0 && r.unanswered === 0)
    return {
      requestsPerSec: m.requestsPerSec, latencyMs: m.latencyMs, serviceLatencyMs: m.serviceLatencyMs, sendLagMs: m.sendLagMs,
      runs: all,
      met: { throughput: m.requestsPerSec >= 0.99 * ratePerSec, p99: m.latencyMs.p99 <= 2, noErrors: clean }
    }
  }
  return { ratePerSec, socket: summary(socketRuns), tcp: summary(tcpRuns) }
}

const percentile = (sorted: Float64Array, p: number): number => sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits

/** Cumulative heartbeat-phi buckets from the agent's /metrics. */
async function phiBuckets(client: ApiClient): Promise<Map<string, number>> {
  const text = await new Promise<string>((resolve, reject) => {
    // /metrics is text, not JSON: a raw request.
    import('node:http').then(({ request }) => {
      request({ socketPath: client.socketPath, path: API_PATHS.metrics, agent: false }, (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => { body += chunk })
        res.on('end', () => resolve(body))
      }).on('error', reject).end()
    }, reject)
  })
  const buckets = new Map<string, number>()
  for (const m of text.matchAll(/^healthmon_heartbeat_arrival_phi_bucket\{le="([^"]+)"\} (\S+)$/gm)) buckets.set(m[1]!, Number(m[2]))
  return buckets
}

async function bench(): Promise<void> {
  const peersWanted = Number(values.peers)
  const agentCount = Number(values.agents)
  const durationS = Number(values.duration)
  const connections = Number(values.connections)
  const lightweight = peersWanted - (agentCount - 1)
  const lanDefaults = { HEALTHMON_ANTI_ENTROPY_INTERVAL_MS: '5000', HEALTHMON_RECONNECT_INTERVAL_MS: '30000' }
  const httpPort = await freePort()
  const profileDir = values['cpu-prof']
  const cluster = new ProcessCluster({
    size: agentCount, clock, env: lanDefaults, argsFor: (a) => (a.index === 0 ? ['--http-listen', `127.0.0.1:${httpPort}`] : []),
    ...(profileDir === undefined ? {} : { nodeFlags: [...AGENT_NODE_FLAGS, '--cpu-prof', `--cpu-prof-dir=${profileDir}`] })
  })
  const helpers: ChildProcess[] = []
  const cleanup = async (): Promise<void> => {
    await Promise.all(helpers.map((child) => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve()
      child.once('exit', () => resolve())
      process.kill(child.pid, 'SIGKILL')
    })))
    await cluster.close()
  }
  process.once('SIGINT', () => { void cleanup().then(() => process.exit(130)) })
  try {
    await cluster.start(60_000)
    const agents = cluster.agents
    const target = agents[0]!
    const client = new ApiClient(target.socket, { timeoutMs: 5000 })
    const joins = agents.map((a) => a.addr!)

    // Lightweight members, in helper processes of at most 25.
    const processes = Math.ceil(lightweight / MEMBERS_PER_PROCESS)
    const ready: Promise<void>[] = []
    for (let p = 0; p < processes; p++) {
      const count = Math.min(MEMBERS_PER_PROCESS, lightweight - p * MEMBERS_PER_PROCESS)
      const child = spawn(process.execPath, [SELF, '--members', String(count), '--prefix', `m${p}-`, ...joins.flatMap((j) => ['--join', j])], { stdio: ['pipe', 'pipe', 'inherit'] })
      helpers.push(child)
      ready.push(new Promise<void>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', () => resolve())
        child.once('exit', (code) => reject(new Error(`a members process exited with ${code}`)))
      }))
    }
    await Promise.all(ready)
    const convergeStart = clock.now()
    let view: ClusterView | undefined
    while (clock.now() - convergeStart < 120_000) {
      view = await client.get<ClusterView>(API_PATHS.view).catch(() => undefined)
      if (view !== undefined && view.peers.length >= peersWanted && view.peers.every((p) => p.state === 'alive')) break
      await sleep(clock, 500)
    }
    if (view === undefined || view.peers.length < peersWanted || !view.peers.every((p) => p.state === 'alive')) {
      const notAlive = view?.peers.filter((p) => p.state !== 'alive').map((p) => `${p.name} ${p.state} (observed by self: ${p.observedBySelf}, ${p.observers.agree}/${p.observers.total}, last heard ${p.lastHeardMs} ms)`)
      throw new Error(`the agent's view did not reach ${peersWanted} alive peers in 120 s (has ${view?.peers.length ?? 0}; not alive: ${notAlive?.join('; ')})`)
    }
    const convergedMs = clock.now() - convergeStart
    // Let the detectors' windows fill with normal arrivals before loading the agent.
    await sleep(clock, 5000)
    if (Number(values.hold) > 0) {
      process.stderr.write(`holding ${values.hold} s; measured agent: ${target.socket} (pid ${target.child!.pid})\n`)
      await sleep(clock, Number(values.hold) * 1000)
    }

    const before = await client.get<EventsResponse>(`${API_PATHS.events}?after=0&limit=1`)
    const phiBefore = await phiBuckets(client)
    const viewBytes = Buffer.byteLength(JSON.stringify(await client.get<ClusterView>(API_PATHS.view))) + 1
    const pid = target.child!.pid!
    const socketTarget: LoadTarget = { socketPath: target.socket }
    const tcpTarget: LoadTarget = { host: '127.0.0.1', port: httpPort }
    const runCount = Number(values.runs)
    const runs: LoadRun[] = []
    for (let i = 0; i < runCount; i++) runs.push(await load(socketTarget, pid, { connections, durationS }))
    const tcpRuns: LoadRun[] = []
    for (let i = 0; i < runCount; i++) tcpRuns.push(await load(tcpTarget, pid, { connections, durationS }))
    const ratePerSec = values.rate === undefined ? undefined : Number(values.rate)
    const openRuns: OpenLoopRun[] = []
    const openTcpRuns: OpenLoopRun[] = []
    if (ratePerSec !== undefined) {
      for (let i = 0; i < runCount; i++) openRuns.push(await openLoad(socketTarget, pid, { connections, durationS, ratePerSec }))
      for (let i = 0; i < runCount; i++) openTcpRuns.push(await openLoad(tcpTarget, pid, { connections, durationS, ratePerSec }))
    }
    const medianOf = <R extends { latencyMs: Percentiles }>(all: R[]): R => [...all].sort((x, y) => x.latencyMs.p99 - y.latencyMs.p99)[Math.floor(all.length / 2)]!
    const median = medianOf(runs)
    const tcpMedian = medianOf(tcpRuns)
    const during = await client.get<EventsResponse>(`${API_PATHS.events}?after=${before.lastId}&limit=1000`)
    const phiAfter = await phiBuckets(client)
    const viewAfter = await client.get<ClusterView>(API_PATHS.view)

    const suspectDuringLoad = during.events.filter((e) => e.type === 'peer:suspected').length
    const deadDuringLoad = during.events.filter((e) => e.type === 'peer:dead').length
    // Heartbeats that arrived during the load, by the phi at arrival (bucket upper bounds).
    const phiDuringLoad: Record<string, number> = {}
    let previous = 0
    for (const [le, count] of phiAfter) {
      const cumulative = count - (phiBefore.get(le) ?? 0)
      phiDuringLoad[`le_${le}`] = cumulative - previous
      previous = cumulative
    }
    const heartbeatsDuringLoad = previous
    const clean = (r: LoadRun): boolean => r.errors === 0 && r.non2xx === 0 && r.timeouts === 0
    const out = {
      bench: 'api',
      endpoint: `GET ${API_PATHS.view}`,
      method: `${agentCount} real agent processes + ${lightweight} lightweight members in ${processes} helper processes (real libp2p nodes with their own keys: join, anti-entropy answer, signed heartbeat every ${HEARTBEAT_INTERVAL_MS} ms on their own topic, ping; no detector of their own); load from autocannon (in this process) over the unix socket, then over the TCP listener on 127.0.0.1 (tcp), ${connections} keep-alive connections`,
      peersInView: view.peers.length,
      viewBytes,
      convergedMs: round(convergedMs, 0),
      durationS,
      connections,
      cores: Number(readFileSync('/proc/cpuinfo', 'utf8').match(/^processor/gm)?.length ?? 0),
      requestsPerSec: median.requestsPerSec,
      latencyMs: median.latencyMs,
      errors: runs.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0),
      runs,
      tcp: {
        endpoint: `GET http://127.0.0.1:${httpPort}${API_PATHS.view}`,
        requestsPerSec: tcpMedian.requestsPerSec,
        latencyMs: tcpMedian.latencyMs,
        errors: tcpRuns.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0),
        runs: tcpRuns,
        met: { throughput: tcpMedian.requestsPerSec >= 5000, p99: tcpMedian.latencyMs.p99 <= 2, noErrors: tcpRuns.every(clean) }
      },
      ...(ratePerSec === undefined ? {} : { openLoop: openLoopSection(ratePerSec, openRuns, openTcpRuns, medianOf) }),
      suspectDuringLoad,
      deadDuringLoad,
      peersAliveAfter: viewAfter.peers.filter((p) => p.state === 'alive').length,
      heartbeatsDuringLoad,
      heartbeatPhiDuringLoad: phiDuringLoad,
      targets: { requestsPerSecMin: 5000, p99MsMax: 2, suspectDuringLoad: 0 },
      met: {
        throughput: median.requestsPerSec >= 5000,
        p99: median.latencyMs.p99 <= 2,
        heartbeatsUnaffected: suspectDuringLoad === 0 && deadDuringLoad === 0 && viewAfter.peers.every((p) => p.state === 'alive'),
        noErrors: runs.every(clean)
      }
    }
    process.stdout.write(`${JSON.stringify(out)}\n`)
    if (profileDir !== undefined) await cluster.terminate(target)
  } finally {
    await cleanup()
  }
}

if (values.members !== undefined) await runMembers(Number(values.members), values.join ?? [], values.prefix, values.cluster)
else await bench()
