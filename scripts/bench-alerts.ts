/**
 * bench-alerts: the alerting core's throughput and its memory under an alert storm. One JSON line.
 *
 *   node --max-semi-space-size=1 scripts/bench-alerts.ts [--seconds 5] [--storm-minutes 10]
 *
 * (the flag is the agent's own, from `npm start`: without it V8 lets the young generation grow
 * to tens of MB of garbage before collecting, which shows as RSS, not as retained memory)
 *
 * 1. Throughput: 50 rules (the 12 built-ins and 38 metric rules, a few with divisors, per-core
 *    and trends, 3 adaptive), 2,000 series, batches of 1,000 samples, every sample matching at
 *    least one rule, about 2 % of series alerting: samples evaluated per second, for --seconds.
 * 2. Storm: 10,000 state changes per minute (900 random peers of 5,000 stepping through
 *    alive → missing → suspect → dead every 6 s, plus 100 of 1,000 metric series crossing their
 *    threshold) for --storm-minutes of virtual time, through
 *    evaluation and the whole notification pipeline: heap growth (after a full GC) and
 *    notifications sent.
 * 3. One incident, five agents (the pure cores of 5 agents in one process, notifiedBy marks
 *    shared with 1 s of gossip delay, observers from the real rings): notifications about one
 *    peer that dies, then returns.
 * 4. The same with real agents (`--agents 5`, 0 to skip): processes of the package's bin
 *    (dist/cli/healthmon.js: run `npm run build` first) on 127.0.0.1, all sending to one webhook
 *    receiver; SIGKILL one, count the firing notifications about it until every handover deadline
 *    has passed; restart it, count the resolved ones. Default timings (`--group-wait-ms`,
 *    `--handover-ms`: 30 s each), so this part takes about 6 minutes.
 * Every loop is bounded in count and in time.
 */
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { effectiveRules } from '../src/alerts/builtin-rules.ts'
import { createEvaluator, evaluate, type PeerFact } from '../src/alerts/evaluator.ts'
import { createGrouping, type Notification } from '../src/alerts/grouping.ts'
import { BUILTIN_INHIBIT_RULES, compileInhibitRule } from '../src/alerts/inhibition.ts'
import { createPipeline, pipelineStep, type ClusterFacts } from '../src/alerts/pipeline.ts'
import type { AlertRuleConfig } from '../src/alerts/rule-config.ts'
import { createSilenceSet } from '../src/alerts/silences.ts'
import type { NotifiedMark } from '../src/alerts/who-notifies.ts'
import type { Sample } from '../src/health/types.ts'
import { buildObserverRings } from '../src/membership/rings.ts'
import { systemClock } from '../src/runtime/clock.ts'
import { seededRandom } from '../src/runtime/random.ts'
import { fileURLToPath } from 'node:url'
import { realIncident } from './lib/real-incident.ts'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' }, 'storm-minutes': { type: 'string', default: '10' },
    agents: { type: 'string', default: '5' }, 'group-wait-ms': { type: 'string', default: '30000' }, 'handover-ms': { type: 'string', default: '30000' }
  }
})
const seconds = Number(values.seconds)
const stormMinutes = Number(values['storm-minutes'])
const clock = systemClock()
const random = seededRandom(42)
setFlagsFromString('--expose_gc')
const gc = runInNewContext('gc') as () => void
const T0 = 1_700_000_000_000

// 1. Throughput -------------------------------------------------------------------------------
const userRules: AlertRuleConfig[] = Array.from({ length: 38 }, (_, i): AlertRuleConfig => {
  if (i < 3) return { name: `Adaptive${i}`, metric: `app_metric_${i}`, adaptive: true }
  if (i < 6) return { name: `Ratio${i}`, metric: `app_metric_${i}`, divideBy: 'app_capacity', scale: 100, warning: '~:90', critical: '~:98', forMs: 60_000 }
  if (i < 8) return { name: `Trend${i}`, metric: `app_metric_${i}`, trend: { windowMs: 3_600_000 }, warning: '3600:' }
  return { name: `Static${i}`, metric: `app_metric_${i}`, matchers: ['zone!="ignored"'], warning: '~:80', critical: '~:95', clear: '~:75', forMs: 30_000, annotations: { summary: '{{ $labels.instance }} at {{ $value }}' } }
})
const rules = effectiveRules(userRules)
const ruleCount = rules.length
const metricNames = [
  ...Array.from({ length: 38 }, (_, i) => `app_metric_${i}`),
  'node_filesystem_avail_bytes', 'node_memory_MemAvailable_bytes', 'node_load1'
]
const SERIES = 2_000
const series = Array.from({ length: SERIES }, (_, i) => ({ name: metricNames[i % metricNames.length]!, labels: { instance: `i${i}`, zone: `z${i % 3}` }, alerting: random.next() < 0.02 }))
const divisors: Sample[] = [
  ...series.map((s) => ({ name: 'app_capacity', labels: s.labels, value: 100, unit: 'none' as const, atMs: T0 })),
  ...series.filter((s) => s.name.startsWith('node_filesystem')).map((s) => ({ name: 'node_filesystem_size_bytes', labels: s.labels, value: 1e11, unit: 'bytes' as const, atMs: T0 })),
  { name: 'node_memory_MemTotal_bytes', labels: {}, value: 8e9, unit: 'bytes', atMs: T0 },
  { name: 'node_cpus', labels: {}, value: 2, unit: 'none', atMs: T0 }
]
function valueOf(s: (typeof series)[number], tick: number): number {
  if (s.name === 'node_filesystem_avail_bytes') return s.alerting ? 3e9 : 5e10
  if (s.name === 'node_memory_MemAvailable_bytes') return s.alerting ? 2e8 : 4e9
  if (s.name === 'node_load1') return s.alerting ? 6 : 1
  return (s.alerting ? 97 : 40) + ((tick * 7 + s.labels.instance.length) % 10)
}
const ev = createEvaluator({ rules, selfName: 'bench' })
evaluate(ev, { samples: divisors }, T0)
const BATCH = 1_000
let evaluated = 0
let now = T0
let tick = 0
const started = clock.now()
const deadline = started + seconds * 1000
for (let batch = 0; batch < 1_000_000 && clock.now() < deadline; batch++) {
  now += 1_000
  const samples: Sample[] = new Array(BATCH)
  for (let k = 0; k < BATCH; k++) {
    const s = series[(batch * BATCH + k) % SERIES]!
    samples[k] = { name: s.name, labels: s.labels, value: valueOf(s, tick), unit: 'none', atMs: now }
  }
  tick++
  evaluate(ev, { samples }, now)
  evaluated += BATCH
}
const elapsedS = (clock.now() - started) / 1000
const throughput = { rules: ruleCount, series: SERIES, samples: evaluated, seconds: Number(elapsedS.toFixed(2)), samplesPerSecond: Math.round(evaluated / elapsedS), alertInstances: ev.instances.size }

// 2. Storm ------------------------------------------------------------------------------------
gc()
const heapBefore = process.memoryUsage().heapUsed
const rssBefore = process.memoryUsage().rss
const stormRules = effectiveRules([{ name: 'Hot', metric: 'hot_metric', warning: '~:50' }])
const sEv = createEvaluator({ rules: stormRules, selfName: 'bench' })
const sPipe = createPipeline(createGrouping(), createSilenceSet(), BUILTIN_INHIBIT_RULES.map(compileInhibitRule))
const selfFacts: ClusterFacts = { self: 'bench', observersOf: () => ['bench'], isLive: () => true, marksFor: () => [], handoverDelayMs: 30_000 }
const peers: PeerFact[] = Array.from({ length: 5_000 }, (_, i) => ({ id: `p${i}`, name: `node-${i}`, state: 'alive' }))
const cycle: PeerFact['state'][] = ['suspect', 'dead', 'alive', 'missing']
let changes = 0
let stormNotifications = 0
let stormAlertsInNotifications = 0
let rssPeak = rssBefore
const hot = Array.from({ length: 1_000 }, (_, i) => ({ instance: `h${i}` }))
for (let minute = 0; minute < stormMinutes; minute++) {
  for (let step = 0; step < 10; step++) { // every 6 s: 900 peer changes + 100 metric crossings
    const t = T0 + (minute * 60 + step * 6) * 1000
    for (let k = 0; k < 900; k++) {
      const p = peers[random.int(peers.length)]!
      p.state = cycle[(cycle.indexOf(p.state) + 1) % cycle.length]!
    }
    const samples: Sample[] = []
    for (let k = 0; k < 100; k++) {
      const j = (minute * 1_000 + step * 100 + k) % hot.length
      samples.push({ name: 'hot_metric', labels: hot[j]!, value: (minute + step) % 2 === 0 ? 90 : 10, unit: 'none', atMs: t })
    }
    changes += 1_000
    evaluate(sEv, { peers, samples }, t)
    const { notifications } = pipelineStep(sPipe, sEv.instances.values(), selfFacts, t)
    stormNotifications += notifications.length
    stormAlertsInNotifications += notifications.reduce((n, x) => n + x.alerts.length, 0)
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss)
  }
}
gc()
const storm = {
  virtualMinutes: stormMinutes, stateChanges: changes, changesPerMinute: 10_000,
  alertInstances: sEv.instances.size, alertsDropped: sEv.counters.alertsDropped, resolvedEvicted: sEv.counters.resolvedEvicted,
  notifications: stormNotifications, alertsInNotifications: stormAlertsInNotifications,
  heapGrowthMB: Number(((process.memoryUsage().heapUsed - heapBefore) / 1e6).toFixed(1)),
  rssPeakGrowthMB: Number(((rssPeak - rssBefore) / 1e6).toFixed(1))
}

// 3. One incident, five agents ---------------------------------------------------------------
const members = ['a1', 'a2', 'a3', 'a4', 'a5']
const peerRules = effectiveRules([]).filter((r) => r.name.startsWith('Peer'))
const agents = members.map((self) => ({ self, ev: createEvaluator({ rules: peerRules, selfName: self }), pipe: createPipeline(createGrouping(), createSilenceSet(), BUILTIN_INHIBIT_RULES.map(compileInhibitRule)), sent: [] as Notification[] }))
const marks: (NotifiedMark & { visibleAtMs: number })[] = []
const victim = 'a3'
const live = (t: number) => (id: string) => id !== victim || t < 60_000 || t >= 1_260_000
const rings = buildObserverRings({ k: 8, live: members.filter((m) => m !== victim), all: members })
for (let t = 0; t <= 2_400_000; t += 1_000) {
  const nowMs = T0 + t
  const victimState: PeerFact['state'] = t >= 60_000 && t < 1_260_000 ? 'dead' : 'alive'
  for (const a of agents) {
    if (a.self === victim) continue
    const others = members.filter((m) => m !== a.self).map((id) => ({ id, name: id, state: id === victim ? victimState : 'alive' as const }))
    evaluate(a.ev, { peers: others }, nowMs)
    const facts: ClusterFacts = {
      self: a.self, observersOf: (s) => rings.observersOf(s), isLive: live(t),
      marksFor: (fp) => marks.filter((m) => m.fingerprint === fp && m.visibleAtMs <= nowMs), handoverDelayMs: 30_000
    }
    const result = pipelineStep(a.pipe, a.ev.instances.values(), facts, nowMs)
    a.sent.push(...result.notifications)
    for (const m of result.marks) marks.push({ ...m, visibleAtMs: nowMs + 1_000 }) // 1 s of gossip
  }
}
const all = agents.flatMap((a) => a.sent)
const incident = {
  agents: members.length,
  firingNotifications: all.filter((n) => n.status === 'firing' && n.alerts.some((x) => x.labels.peer === victim)).length,
  resolvedNotifications: all.filter((n) => n.status === 'resolved' && n.alerts.some((x) => x.labels.peer === victim)).length,
  sentBy: agents.filter((a) => a.sent.length > 0).map((a) => a.self),
  mode: 'pure cores in one process, 1 s of gossip delay'
}

// 4. One incident, five real agents ------------------------------------------------------------
const realAgents = Number(values['agents'])
const real = realAgents > 0 ? await realIncident({ agents: realAgents, groupWaitMs: Number(values['group-wait-ms']), handoverMs: Number(values['handover-ms']), bin: fileURLToPath(new URL('../dist/cli/healthmon.js', import.meta.url)) }) : undefined

console.log(JSON.stringify({ bench: 'alerts', node: process.version, execArgv: process.execArgv, throughput, storm, incident, ...(real === undefined ? {} : { realIncident: real }) }))
