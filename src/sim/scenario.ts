import type { ConfigInput } from '../config/schema.ts'
import type { Random } from '../runtime/random.ts'
import type { CheckOptions } from './checkers/options.ts'
import type { NetworkProfile } from './sim-network.ts'

/**
 * Scenarios as data: a list of readable operations at times, resolved with the seed into
 * concrete nodes before the run (the resolution is printed and stored in the summary, so a
 * reader sees exactly which nodes crashed when). The same scenario runs in the simulator and,
 * where its operations apply, on real processes (simulations/cluster.ts).
 *
 * Times (`at`, `for`, `until`, and periods) are durations: a number of ms, or '250ms', '30s',
 * '1.5m', '1h'; a leading '-' counts back from the end of the run ('-60s' is one minute before
 * the end), so a scenario keeps its healing phase at any --duration.
 */
export type Duration = number | string

/** Which nodes an operation applies to. Random picks avoid nodes already named by an earlier `as`. */
export type Target =
  | { random: number }
  | { fraction: number }
  | { nodes: string[] }
  | { group: string }
  | { all: true }

interface StepBase {
  at: Duration
  /** Names the resolved nodes (for link operations: the smaller side) so that later steps can say { group: name }. */
  as?: string
}

export type Step = StepBase & (
  /** Process dies (SIGKILL); its host refuses connections. With `for`, restarted after. */
  | { op: 'crash'; target: Target; for?: Duration }
  /** Host dies: nothing answers, probes time out. With `for`, restarted after. */
  | { op: 'host-crash'; target: Target; for?: Duration }
  /** Graceful stop (SIGTERM: announces its leave). With `for`, restarted after. */
  | { op: 'leave'; target: Target; for?: Duration }
  /** Starts crashed or left nodes again (next incarnation). */
  | { op: 'restart'; target: Target }
  /** SIGSTOP / a GC stall of `for`. */
  | { op: 'pause'; target: Target; for: Duration }
  /** CPU-starved (Lifeguard): frequent stalls, see SimCluster.setSlow. Until `for` ends, or heal-all. */
  | { op: 'slow'; target: Target; for?: Duration; runMsMean?: number; stallMsMean?: number; stallMsMax?: number }
  /** Clock drift: each target's clock runs at a rate drawn uniformly in [1 - ppm/1e6, 1 + ppm/1e6]. */
  | { op: 'drift'; target: Target; ppm: number }
  /** Splits the cluster: `sizes` are fractions of the nodes for the first sides; the rest is the last side. */
  | { op: 'partition'; sizes: number[]; for?: Duration }
  /** Cuts the links between `from` and `to` (only from → to with oneWay). */
  | { op: 'cut'; from: Target; to: Target; oneWay?: boolean; for?: Duration }
  /** Cuts from → to (oneWay) or both ways for `onMs`, heals for `offMs`, repeatedly, until `until`. */
  | { op: 'flap'; from: Target; to: Target; oneWay?: boolean; onMs: Duration; offMs: Duration; until: Duration }
  /** Holds every message on from → to (in order, not lost) for `for`. */
  | { op: 'clog'; from: Target; to: Target; for: Duration }
  /** Every link into or out of the targets loses `rate` of its messages. */
  | { op: 'lossy'; target: Target; rate: number; for?: Duration }
  /** Uniform loss on every link, from now (until `for` ends, or heal-all). */
  | { op: 'loss'; rate: number; for?: Duration }
  /** Restarts the targets one by one: each leaves (or crashes), is back after downFor; the next goes everyMs later. */
  | { op: 'rolling-restart'; target: Target; everyMs: Duration; downFor: Duration; mode?: 'leave' | 'crash' }
  /** Steady churn: every everyMs a random running node crashes and comes back after downFor, until `until`. */
  | { op: 'churn'; everyMs: Duration; downFor: Duration; until: Duration }
  /** Ends every link fault, pause, slowness and extra loss; the healing phase starts. Crashed nodes stay down. */
  | { op: 'heal-all' }
)

export interface Scenario {
  name: string
  description: string
  defaults: { nodes: number; duration: Duration }
  /** Agent options over the `lan` profile. */
  node?: ConfigInput
  network?: Partial<NetworkProfile>
  checks?: Partial<CheckOptions>
  steps: Step[]
}

/** A step with its times in ms since the scenario's start and its targets as node ids. */
export interface ResolvedOp {
  atMs: number
  op: Step['op']
  nodes?: string[]
  from?: string[]
  to?: string[]
  sides?: string[][]
  forMs?: number
  untilMs?: number
  onMs?: number
  offMs?: number
  everyMs?: number
  downForMs?: number
  rate?: number
  rates?: number[]
  oneWay?: boolean
  mode?: 'leave' | 'crash'
  slow?: { runMsMean: number; stallMsMean: number; stallMsMax: number }
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Parses a duration to ms; negative ones count back from `endMs` when given. */
export function parseDuration(d: Duration, endMs?: number): number {
  if (typeof d === 'number') {
    if (!Number.isFinite(d)) throw new Error(`bad duration ${d}`)
    return d < 0 && endMs !== undefined ? endMs + d : d
  }
  const m = /^\s*(-?)(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(d)
  if (m === null) throw new Error(`bad duration "${d}": use e.g. 500ms, 30s, 10m, 1h`)
  const ms = Math.round(Number(m[2]) * UNITS[m[3] ?? 'ms']!)
  if (m[1] === '-') {
    if (endMs === undefined) throw new Error(`duration "${d}" counts from the end, which is not known here`)
    return endMs - ms
  }
  return ms
}

export const DEFAULT_SLOW = { runMsMean: 400, stallMsMean: 300, stallMsMax: 2000 }

/** Resolves every step with the seed's stream: concrete nodes, times in ms. Throws on a bad step. */
export function resolveScenario(s: Scenario, nodes: number, durationMs: number, random: Random): ResolvedOp[] {
  const ids = Array.from({ length: nodes }, (_, i) => `n${i}`)
  const groups = new Map<string, string[]>()
  const named = new Set<string>()
  const t = (d: Duration): number => {
    const ms = parseDuration(d, durationMs)
    if (ms < 0 || ms > durationMs) throw new Error(`time ${JSON.stringify(d)} falls outside the run (0 .. ${durationMs} ms)`)
    return ms
  }
  const pick = (k: number): string[] => {
    const pool = ids.filter((id) => !named.has(id))
    const out: string[] = []
    for (let i = 0; i < k && pool.length > 0; i++) out.push(pool.splice(random.int(pool.length), 1)[0]!)
    return out.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))
  }
  const resolve = (target: Target): string[] => {
    if ('random' in target) return pick(target.random)
    if ('fraction' in target) return pick(Math.max(1, Math.round(target.fraction * nodes)))
    if ('nodes' in target) {
      for (const id of target.nodes) if (!ids.includes(id)) throw new Error(`no node ${id} in a ${nodes}-node run`)
      return [...target.nodes]
    }
    if ('group' in target) {
      const g = groups.get(target.group)
      if (g === undefined) throw new Error(`no group "${target.group}" named before`)
      return g
    }
    return [...ids]
  }
  const out: ResolvedOp[] = []
  for (const step of s.steps) {
    // An operation named at a whole second happens at a random millisecond of that second, so
    // that faults do not line up with the nodes' heartbeat ticks (which all start at boot).
    const nominalMs = t(step.at)
    const atMs = nominalMs % 1000 === 0 ? Math.min(durationMs, nominalMs + random.int(1000)) : nominalMs
    const r: ResolvedOp = { atMs, op: step.op }
    const name = (list: string[]): string[] => {
      if (step.as !== undefined) groups.set(step.as, list)
      for (const id of list) named.add(id)
      return list
    }
    switch (step.op) {
      case 'crash':
      case 'host-crash':
      case 'leave':
        r.nodes = name(resolve(step.target))
        if (step.for !== undefined) r.forMs = parseDuration(step.for, durationMs)
        break
      case 'restart':
        r.nodes = resolve(step.target)
        break
      case 'pause':
        r.nodes = name(resolve(step.target))
        r.forMs = parseDuration(step.for, durationMs)
        break
      case 'slow':
        r.nodes = name(resolve(step.target))
        if (step.for !== undefined) r.forMs = parseDuration(step.for, durationMs)
        r.slow = { runMsMean: step.runMsMean ?? DEFAULT_SLOW.runMsMean, stallMsMean: step.stallMsMean ?? DEFAULT_SLOW.stallMsMean, stallMsMax: step.stallMsMax ?? DEFAULT_SLOW.stallMsMax }
        break
      case 'drift':
        r.nodes = name(resolve(step.target))
        r.rates = r.nodes.map(() => 1 + ((2 * random.next() - 1) * step.ppm) / 1e6)
        break
      case 'partition': {
        const pool = [...ids]
        const sides: string[][] = []
        for (const f of step.sizes) {
          const side: string[] = []
          const k = Math.max(1, Math.round(f * nodes))
          for (let i = 0; i < k && pool.length > 1; i++) side.push(pool.splice(random.int(pool.length), 1)[0]!)
          sides.push(side.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))))
        }
        sides.push(pool)
        r.sides = sides
        if (step.for !== undefined) r.forMs = parseDuration(step.for, durationMs)
        break
      }
      case 'cut':
      case 'clog':
      case 'flap': {
        // The larger side loses the nodes of the smaller one (no node is cut from itself); `as`
        // names the smaller side (the nodes the fault is about).
        let from = resolve(step.from)
        let to = resolve(step.to)
        if (from.length >= to.length) {
          from = from.filter((id) => !to.includes(id))
          name(to)
        } else {
          to = to.filter((id) => !from.includes(id))
          name(from)
        }
        r.from = from
        r.to = to
        if (step.op !== 'clog') r.oneWay = step.oneWay === true
        if (step.op === 'flap') {
          r.onMs = parseDuration(step.onMs)
          r.offMs = parseDuration(step.offMs)
          r.untilMs = t(step.until)
        } else if (step.for !== undefined) {
          r.forMs = parseDuration(step.for, durationMs)
        }
        break
      }
      case 'lossy':
        r.nodes = name(resolve(step.target))
        r.rate = step.rate
        if (step.for !== undefined) r.forMs = parseDuration(step.for, durationMs)
        break
      case 'loss':
        r.rate = step.rate
        if (step.for !== undefined) r.forMs = parseDuration(step.for, durationMs)
        break
      case 'rolling-restart':
        r.nodes = name(resolve(step.target))
        r.everyMs = parseDuration(step.everyMs)
        r.downForMs = parseDuration(step.downFor)
        r.mode = step.mode ?? 'leave'
        break
      case 'churn':
        r.everyMs = parseDuration(step.everyMs)
        r.downForMs = parseDuration(step.downFor)
        r.untilMs = t(step.until)
        break
      case 'heal-all':
        break
    }
    out.push(r)
  }
  return out
}

/** Formats ms as the shortest readable duration ('90s', '10m', '1500ms'). */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`
  if (ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
