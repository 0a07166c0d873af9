/**
 * bench-rss (issue 11): where an agent's resident memory goes under socket load, told apart as
 * retained growth (a leak: the heap left after each full GC keeps rising) or allocator behaviour
 * (RSS that rises under allocation churn and then levels off while the live heap does not grow).
 *
 *   node scripts/bench-rss.ts [--agents 3] [--rate 150] [--duration 240] [--sample 5] [--warmup 60]
 *                             [--snapshots] [--node-flag --max-semi-space-size=1 ...] [--env MALLOC_ARENA_MAX=2]
 *
 * 1. Starts --agents - 1 real agents (src/sim/process-cluster.ts) and one more, the measured one,
 *    spawned here with --trace-gc (and --heapsnapshot-signal=SIGUSR2 with --snapshots) so its GC
 *    log can be read; it joins the others as any agent would.
 * 2. Sends --rate socket requests per second to the measured agent, paced in 20 ms ticks, with
 *    the soak's mix (self, view, health, peer, metrics), over keep-alive connections.
 * 3. The measured agent's CPU use over the load (from /proc, % of one core: what a GC flag costs).
 *    Every --sample seconds reads /proc/<pid>/status (VmRSS, RssAnon, RssFile) and the agent's
 *    process.memoryUsage() figures from its /metrics, and from the GC log the heap size left by
 *    each Mark-Compact (the retained heap).
 * 4. With --snapshots, writes a heap snapshot after warm-up and at the end (SIGUSR2; files in the
 *    agent's working dir, here a temp dir that is removed) and prints the node kinds whose retained
 *    count or self size grew most between them.
 * Prints one JSON line: conditions (load average, cores), the series, and the growth from the end
 * of warm-up of RSS, of the last third of the run against the middle third (levelling off), and
 * of the post-Mark-Compact heap. A heap snapshot costs the agent RSS of its own (V8 builds it
 * outside the heap: +110 MB measured, never returned): RSS figures from a --snapshots run are
 * not comparable with others. Every process it starts is ended by its pid.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { ApiClient } from '../src/api/client.ts'
import type { ClusterView } from '../src/api/protocol.ts'
import { AGENT_NODE_FLAGS } from '../src/cli/agent-heap.ts'
import { sleep, systemClock } from '../src/runtime/clock.ts'
import { cpuPercent, sampleProcess } from '../src/sim/proc-stats.ts'
import { ProcessCluster } from '../src/sim/process-cluster.ts'
import { summarizeSnapshot, snapshotGrowth } from './lib/heap-snapshot.ts'
import { metricMb, summarizeMemory } from './lib/memory-series.ts'

const { values } = parseArgs({ options: {
  agents: { type: 'string', default: '3' }, rate: { type: 'string', default: '150' }, duration: { type: 'string', default: '240' },
  sample: { type: 'string', default: '5' }, warmup: { type: 'string', default: '60' }, snapshots: { type: 'boolean', default: false },
  // The agent's own flags by default; give others to compare (each --node-flag replaces the list).
  'node-flag': { type: 'string', multiple: true, default: [...AGENT_NODE_FLAGS] },
  // NAME=VALUE for the measured agent's environment, e.g. MALLOC_ARENA_MAX=2 (allocator experiments).
  env: { type: 'string', multiple: true }
} })
const clock = systemClock()
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url))
const durationMs = Number(values.duration) * 1000
const warmupMs = Number(values.warmup) * 1000
const sampleMs = Number(values.sample) * 1000
const rate = Number(values.rate)

const cluster = new ProcessCluster({ size: Math.max(1, Number(values.agents) - 1), clock })
const dir = mkdtempSync(join(tmpdir(), 'hm-rss-'))
const socket = join(dir, 's.sock')
let child: ChildProcess | undefined

function get(path: string, agent: Agent | false, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, agent, timeout: timeoutMs }, (res) => {
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

function statusKb(pid: number): Record<'rss' | 'anon' | 'file', number> {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(s)?.[1] ?? Number.NaN)
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') }
}

const metric = metricMb

/** "... Mark-Compact 41.2 (47.0) -> 38.9 (46.5) MB, ..." -> 38.9: the heap left by a full GC. */
const MARK_COMPACT = /Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/

interface Sample { atS: number; rssMb: number; anonMb: number; fileMb: number; heapUsedMb: number | undefined; heapTotalMb: number | undefined; externalMb: number | undefined; afterLastMarkCompactMb: number | undefined }

const samples: Sample[] = []
const markCompacts: { atS: number; afterMb: number }[] = []
let scavenges = 0
const requests = { sent: 0, answered: 0, errors: 0, statuses: {} as Record<string, number> }
let snapshotGrowthTop: unknown

try {
  await cluster.start(60_000)
  const first = cluster.agents[0]!
  child = spawn(process.execPath, [
    ...(values['node-flag'] ?? []), '--trace-gc', ...(values.snapshots ? ['--heapsnapshot-signal=SIGUSR2'] : []),
    MAIN, 'agent', '--profile', 'local-test', '--name', 'measured', '--data-dir', dir, '--socket', socket, '--log-level', 'warn', '--join', first.addr!
  ], { cwd: dir, env: { ...process.env, HEALTHMON_SOCKET: '', ...Object.fromEntries((values.env ?? []).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])) }, stdio: ['ignore', 'pipe', 'pipe'] })
  const t0 = clock.now()
  let buffered = ''
  child.stdout!.setEncoding('utf8')
  child.stdout!.on('data', (chunk: string) => {
    buffered += chunk
    const lines = buffered.split('\n')
    buffered = lines.pop() ?? ''
    for (const line of lines) {
      const m = MARK_COMPACT.exec(line)
      if (m !== null) markCompacts.push({ atS: Math.round((clock.now() - t0) / 1000), afterMb: Number(m[1]) })
      else if (line.includes('Scavenge')) scavenges++
    }
  })
  child.stderr!.resume()
  const others = cluster.agents.length
  let view: ClusterView | undefined
  for (let i = 0; i < 300 && view?.peers.filter((p) => p.state === 'alive').length !== others; i++) {
    view = await new ApiClient(socket, { timeoutMs: 2000 }).get<ClusterView>('/v1/view').catch(() => undefined)
    await sleep(clock, 200)
  }
  if (view === undefined) throw new Error('the measured agent did not join')
  const peerPath = `/v1/peers/${view.peers[0]!.id}`
  const pid = child.pid!
  const startedAt = clock.now()
  const cpuAtStart = sampleProcess(pid)
  const endAt = startedAt + durationMs
  const running = () => clock.now() < endAt && child?.exitCode === null

  const keepAlive = new Agent({ keepAlive: true, maxSockets: 8 })
  const paths = ['/v1/self', '/v1/self', '/v1/view', '/v1/view', '/v1/health', '/v1/health', peerPath, '/metrics']
  const TICK_MS = 20
  const perTick = Math.max(1, Math.round(rate * TICK_MS / 1000))
  let inflight = 0
  const load = (async () => {
    for (let tick = 0; running(); tick++) {
      for (let i = 0; i < perTick && inflight < 256; i++) {
        inflight++
        requests.sent++
        get(paths[(tick * perTick + i) % paths.length]!, keepAlive).then((r) => {
          requests.answered++
          requests.statuses[r.status] = (requests.statuses[r.status] ?? 0) + 1
        }, () => { requests.errors++ }).finally(() => { inflight-- })
      }
      await sleep(clock, Math.max(0, startedAt + (tick + 1) * TICK_MS - clock.now()))
    }
  })()

  let snapshotAtWarmup: string | undefined
  const snapshot = async (): Promise<string | undefined> => {
    const before = new Set(readdirSync(dir))
    process.kill(pid, 'SIGUSR2')
    // Written synchronously by the agent; bounded wait for the file to appear and stop growing.
    for (let i = 0; i < 120; i++) {
      await sleep(clock, 500)
      const made = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot') && !before.has(f))
      if (made !== undefined && (await get('/v1/self', false).then(() => true, () => false))) return join(dir, made)
    }
    return undefined
  }
  while (running()) {
    const atS = Math.round((clock.now() - startedAt) / 1000)
    const k = statusKb(pid)
    const m = await get('/metrics', false).catch(() => undefined)
    samples.push({
      atS, rssMb: Math.round(k.rss / 102.4) / 10, anonMb: Math.round(k.anon / 102.4) / 10, fileMb: Math.round(k.file / 102.4) / 10,
      heapUsedMb: m && metric(m.body, 'nodejs_heap_size_used_bytes'), heapTotalMb: m && metric(m.body, 'nodejs_heap_size_total_bytes'),
      externalMb: m && metric(m.body, 'nodejs_external_memory_bytes'), afterLastMarkCompactMb: markCompacts.at(-1)?.afterMb
    })
    if (values.snapshots && snapshotAtWarmup === undefined && clock.now() - startedAt >= warmupMs) snapshotAtWarmup = await snapshot()
    await sleep(clock, sampleMs)
  }
  await load
  const cpuAtEnd = sampleProcess(pid)
  const agentCpuPercent = cpuAtStart === undefined || cpuAtEnd === undefined ? null : Math.round(cpuPercent(cpuAtStart, cpuAtEnd, clock.now() - startedAt) * 10) / 10
  if (values.snapshots && snapshotAtWarmup !== undefined) {
    const end = await snapshot()
    if (end !== undefined) snapshotGrowthTop = snapshotGrowth(summarizeSnapshot(snapshotAtWarmup), summarizeSnapshot(end), 15)
  }

  const mcAfter = markCompacts.filter((m) => m.atS * 1000 >= warmupMs)
  const summary = summarizeMemory(samples.map((x) => ({ atMs: x.atS * 1000, rssMb: x.rssMb, anonMb: x.anonMb, heapUsedMb: x.heapUsedMb, heapTotalMb: x.heapTotalMb })), warmupMs)
  console.log(JSON.stringify({
    bench: 'rss',
    conditions: { agents: others + 1, rate, durationMs, warmupMs, nodeFlags: values['node-flag'], env: values.env ?? [], cores: cpus().length, loadavgAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) },
    requests: { ...requests, perSecond: Math.round(requests.answered / (durationMs / 1000)) },
    agentCpuPercent,
    rss: summary === undefined ? null : { ...summary, rssMb: undefined, maxMb: Math.max(...samples.map((x) => x.rssMb)) },
    gc: { scavenges, markCompacts: markCompacts.length, retainedAfterMarkCompactMb: { firstAfterWarmup: mcAfter[0]?.afterMb, last: mcAfter.at(-1)?.afterMb, min: Math.min(...mcAfter.map((m) => m.afterMb)), max: Math.max(...mcAfter.map((m) => m.afterMb)) } },
    snapshotGrowthTop,
    samples
  }))
} finally {
  if (child?.pid !== undefined && child.exitCode === null) {
    const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()))
    process.kill(child.pid, 'SIGKILL')
    await exited
  }
  await cluster.close()
  rmSync(dir, { recursive: true, force: true })
}
