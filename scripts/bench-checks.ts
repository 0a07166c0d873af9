/**
 * bench-checks: what custom checks cost the agent.
 *
 *   node scripts/bench-checks.ts [--runs 50] [--checks 20] [--seconds 10]
 *
 * 1. Parsing: microseconds per parsePluginOutput() of real outputs (check_disk with five mounts,
 *    check_http), over a bounded number of iterations.
 * 2. One exec run: wall time of startExec() on Debian's check_load (or /bin/true when the
 *    Monitoring Plugins are absent), --runs times one after another: median and p95.
 * 3. Steady state: a CheckScheduler on the real clock running --checks exec checks of
 *    check_dummy (or /bin/true) every second for --seconds: runs done, runs that waited for a
 *    slot, and this process's CPU time per run (process.cpuUsage; the plugins' own CPU is theirs).
 * Prints one JSON line. Every process it starts is ended by the runner (its process group).
 */
import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { resolveCheck } from '../src/checks/check-config.ts'
import { startExec } from '../src/checks/exec-runner.ts'
import { parsePluginOutput } from '../src/checks/plugin-output.ts'
import { CheckScheduler } from '../src/checks/scheduler.ts'
import { systemClock } from '../src/runtime/clock.ts'
import { silentLogger } from '../src/runtime/logger.ts'
import { systemRandom } from '../src/runtime/random.ts'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '50' }, checks: { type: 'string', default: '20' }, seconds: { type: 'string', default: '10' } } })
const runs = Math.min(1000, Math.max(1, Number(values.runs)))
const checks = Math.min(256, Math.max(1, Number(values.checks)))
const seconds = Math.min(600, Math.max(1, Number(values.seconds)))
const clock = systemClock()

const DISK = 'DISK OK - free space: / 79876MiB (76% inode=96%); /dev/shm 24105MiB (100% inode=99%);| /=25187844096B;243497277849;257024904396;0;270552530944 /dev/shm=0B;22748332032;24012128256;0;25275924480 /boot=68MB;88;93;0;98 /home=69357MB;253404;253409;0;253414 /var/log=818MB;970;975;0;980\n'
const HTTP = 'HTTP OK: HTTP/1.0 200 OK - 2148 bytes in 0.004 second response time |time=0.003516s;;;0.000000;10.000000 size=2148B;;;0;\n'

function usPerParse(text: string, iterations: number): number {
  const start = clock.now()
  for (let i = 0; i < iterations; i++) parsePluginOutput(text)
  return ((clock.now() - start) * 1000) / iterations
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!
const round = (x: number, digits = 3): number => Number(x.toFixed(digits))

const PLUGINS = '/usr/lib/nagios/plugins'
const loadArgv = existsSync(`${PLUGINS}/check_load`) ? [`${PLUGINS}/check_load`, '-w', '1000,1000,1000', '-c', '2000,2000,2000'] : ['/bin/true']
const dummyArgv = existsSync(`${PLUGINS}/check_dummy`) ? [`${PLUGINS}/check_dummy`, '0', 'fine'] : ['/bin/true']

const parse = { diskUs: round(usPerParse(DISK, 20_000)), httpUs: round(usPerParse(HTTP, 20_000)) }

const durations: number[] = []
for (let i = 0; i < runs; i++) {
  const outcome = await startExec({ argv: loadArgv, timeoutMs: 10_000, outputBytesMax: 4096, clock }).done
  durations.push(outcome.durationMs)
}
durations.sort((a, b) => a - b)

const scheduler = new CheckScheduler({
  checks: Array.from({ length: checks }, (_, i) => resolveCheck({ id: `dummy-${i}`, exec: dummyArgv, intervalMs: 1000, timeoutMs: 5000 })),
  clock, random: systemRandom(), logger: silentLogger(), runsConcurrentMax: 4, outputBytesMax: 4096, httpBodyBytesMax: 65_536
})
const cpuBefore = process.cpuUsage()
scheduler.start()
// A ref'd timer: the system clock's timers are unref'd and would let the process exit here.
await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
await scheduler.stop()
const cpu = process.cpuUsage(cpuBefore)
const stats = scheduler.stats()

console.log(JSON.stringify({
  bench: 'checks',
  parseUsPerOutput: parse,
  execRun: { plugin: loadArgv[0], runs, medianMs: round(percentile(durations, 0.5), 1), p95Ms: round(percentile(durations, 0.95), 1) },
  steady: {
    plugin: dummyArgv[0], checks, intervalMs: 1000, seconds, runs: stats.runs, runsQueued: stats.runsQueued, timeouts: stats.timeouts,
    agentCpuMsPerRun: round((cpu.user + cpu.system) / 1000 / Math.max(1, stats.runs), 3),
    agentCpuPercentOfCore: round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100, 2)
  },
  loadavg1: round(loadavg()[0]!, 2)
}))
