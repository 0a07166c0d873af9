import * as vega from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import type { FaultLog } from './fault-log.ts'
import { EV, ST, UNKNOWN, VIEW_STATES, type Trace } from './trace.ts'

/**
 * The run's picture, rendered headless with vega-lite (no hand-made SVG): on top, the cluster
 * timeline (one row per node, coloured by the state most running nodes' views gave it in each
 * time bin, the worst one if it changed within the bin; the node's own faults drawn as a line
 * through its row); below, the detection-latency distribution (ms from crash to suspect and to
 * dead, per observer). Large clusters show every faulty node plus a seeded sample of the rest.
 */
export interface PlotInput {
  title: string
  trace: Trace
  faults: FaultLog
  nodes: number
  /** Time range shown (ms since the epoch) and the scenario's start (t = 0 on the axis). */
  fromMs: number
  toMs: number
  originMs: number
  suspectMs: readonly (number | null)[]
  deadMs: readonly (number | null)[]
  /** Row cap for the timeline. */
  rowsMax?: number
}

const SEVERITY = [0, 2, 3, 1, 4] // alive < left < suspect < dead < missing, indexed by ST
const STATE_COLORS = { alive: '#4caf50', suspect: '#ffb300', dead: '#d32f2f', left: '#1e88e5', missing: '#9e9e9e' }
const FAULT_COLORS = { crash: '#000000', 'host-crash': '#000000', left: '#0d47a1', pause: '#6a1b9a', slow: '#ad1457', link: '#00838f', drift: '#795548' }

export function timelineRows(input: PlotInput): number[] {
  const { faults, nodes } = input
  const cap = input.rowsMax ?? 100
  if (nodes <= cap) return Array.from({ length: nodes }, (_, i) => i)
  const faulty = [...new Set(faults.faults.filter((f) => f.kind !== 'drift').map((f) => f.node))].slice(0, Math.floor(cap * 0.6))
  const rows = new Set(faulty)
  // A deterministic spread of the others: every k-th node.
  const step = nodes / (cap - rows.size)
  for (let x = 0; rows.size < cap && x < nodes; x += step) rows.add(Math.floor(x))
  return [...rows].sort((a, b) => a - b)
}

interface Segment { node: string; row: number; from: number; to: number; state: string }

/** Majority view of each shown node, per time bin, run-length encoded into segments. */
export function timelineSegments(input: PlotInput, rows: readonly number[], bins = 300): Segment[] {
  const { trace, faults, nodes, fromMs, toMs, originMs } = input
  const binMs = Math.max(1, (toMs - fromMs) / bins)
  const shown = new Int32Array(nodes).fill(-1)
  rows.forEach((p, r) => { shown[p] = r })
  const views = new Uint8Array(nodes * nodes).fill(UNKNOWN)
  const counts = new Int32Array(nodes * 5)
  // Observers that stop (crash, leave) drop out of the counts: merge their stop times with the events.
  const stops = faults.faults.filter((f) => f.kind === 'crash' || f.kind === 'host-crash' || f.kind === 'left').map((f) => ({ t: f.fromMs, node: f.node })).sort((a, b) => a.t - b.t)
  let si = 0
  const worst = new Int32Array(rows.length).fill(-1)
  const majority = (p: number): number => {
    let best = -1
    let bestCount = 0
    for (let s = 0; s < 5; s++) {
      const c = counts[p * 5 + s]!
      if (c > bestCount || (c === bestCount && c > 0 && SEVERITY[s]! > SEVERITY[best]!)) { best = s; bestCount = c }
    }
    return best
  }
  const note = (p: number): void => {
    const r = shown[p]!
    if (r < 0) return
    const m = majority(p)
    if (m >= 0 && (worst[r]! < 0 || SEVERITY[m]! > SEVERITY[worst[r]!]!)) worst[r] = m
  }
  const set = (o: number, p: number, s: number): void => {
    const cell = o * nodes + p
    const before = views[cell]!
    if (before !== UNKNOWN) counts[p * 5 + before]!--
    views[cell] = s
    if (s !== UNKNOWN) counts[p * 5 + s]!++
    note(p)
  }
  const segments: Segment[] = []
  const open: (Segment | undefined)[] = new Array(rows.length).fill(undefined)
  let i = 0
  for (let b = 0; b < bins; b++) {
    const binEnd = fromMs + (b + 1) * binMs
    for (let r = 0; r < rows.length; r++) worst[r] = majority(rows[r]!)
    for (;;) {
      const nextStop = si < stops.length ? stops[si]!.t : Infinity
      const nextEvent = i < trace.length ? trace.t[i]! : Infinity
      if (Math.min(nextStop, nextEvent) > binEnd) break
      if (nextStop <= nextEvent) {
        const o = stops[si++]!.node
        for (let p = 0; p < nodes; p++) if (views[o * nodes + p] !== UNKNOWN) set(o, p, UNKNOWN)
      } else {
        if (trace.type[i] !== EV.alert && trace.peer[i]! >= 0) set(trace.node[i]!, trace.peer[i]!, trace.state[i]!)
        i++
      }
    }
    const x0 = (fromMs + b * binMs - originMs) / 1000
    const x1 = (binEnd - originMs) / 1000
    for (let r = 0; r < rows.length; r++) {
      const s = worst[r]!
      const state = s < 0 ? undefined : VIEW_STATES[s]!
      const cur = open[r]
      if (cur !== undefined && cur.state === state) {
        cur.to = x1
        continue
      }
      if (cur !== undefined) segments.push(cur)
      open[r] = state === undefined ? undefined : { node: input.trace.nodeIds[rows[r]!]!, row: r, from: x0, to: x1, state }
    }
  }
  for (const s of open) if (s !== undefined) segments.push(s)
  return segments
}

export function buildSpec(input: PlotInput): TopLevelSpec {
  const rows = timelineRows(input)
  const segments = timelineSegments(input, rows)
  const order = rows.map((p) => input.trace.nodeIds[p]!)
  const shownSet = new Set(rows)
  const faultMarks = input.faults.faults
    .filter((f) => shownSet.has(f.node) && f.toMs >= input.fromMs)
    .map((f) => ({ node: input.trace.nodeIds[f.node]!, from: (Math.max(f.fromMs, input.fromMs) - input.originMs) / 1000, to: (Math.min(f.toMs, input.toMs) - input.originMs) / 1000, fault: f.kind }))
  const latencies = [
    ...input.suspectMs.filter((x): x is number => x !== null).map((ms) => ({ stage: 'suspect', ms })),
    ...input.deadMs.filter((x): x is number => x !== null).map((ms) => ({ stage: 'dead', ms }))
  ]
  const rowHeight = Math.max(3, Math.min(12, Math.floor(600 / rows.length)))
  const stateDomain = Object.keys(STATE_COLORS)
  const faultDomain = Object.keys(FAULT_COLORS)
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: input.title,
    config: { font: 'sans-serif', view: { stroke: null } },
    vconcat: [
      {
        title: `Cluster timeline: state most nodes see for each node (${rows.length} of ${input.nodes} nodes), faults as lines`,
        width: 900,
        height: rowHeight * rows.length,
        layer: [
          {
            data: { values: segments },
            mark: { type: 'rect' },
            encoding: {
              x: { field: 'from', type: 'quantitative', title: 'seconds since the scenario started', scale: { domain: [(input.fromMs - input.originMs) / 1000, (input.toMs - input.originMs) / 1000], nice: false } },
              x2: { field: 'to' },
              y: { field: 'node', type: 'ordinal', sort: order, title: null, axis: rows.length > 40 ? { labels: false, ticks: false, title: 'nodes' } : {} },
              color: { field: 'state', type: 'nominal', title: 'seen as', scale: { domain: stateDomain, range: Object.values(STATE_COLORS) } }
            }
          },
          {
            data: { values: faultMarks },
            mark: { type: 'rule', strokeWidth: Math.max(1, Math.floor(rowHeight / 3)) },
            encoding: {
              x: { field: 'from', type: 'quantitative' },
              x2: { field: 'to' },
              y: { field: 'node', type: 'ordinal', sort: order },
              stroke: { field: 'fault', type: 'nominal', title: 'fault', scale: { domain: faultDomain, range: Object.values(FAULT_COLORS) } }
            }
          }
        ],
        resolve: { scale: { color: 'independent' } }
      },
      {
        title: latencies.length > 0 ? 'Detection latency: ms from crash to suspect and to dead, per observer' : 'Detection latency: no crash in this run',
        width: 900,
        height: 200,
        data: { values: latencies },
        mark: { type: 'bar', opacity: 0.75 },
        encoding: {
          x: { field: 'ms', type: 'quantitative', bin: { maxbins: 60 }, title: 'ms after the crash' },
          y: { aggregate: 'count', type: 'quantitative', title: 'observer pairs', stack: null },
          color: { field: 'stage', type: 'nominal', title: 'stage', scale: { domain: ['suspect', 'dead'], range: ['#ffb300', '#d32f2f'] } }
        }
      }
    ]
  }
}

/** Renders the picture as SVG text. */
export async function renderSvg(input: PlotInput): Promise<string> {
  const spec = compile(buildSpec(input)).spec
  const view = new vega.View(vega.parse(spec), { renderer: 'none' })
  const svg = await view.toSVG()
  view.finalize()
  return svg
}

/** The states a timeline can show, for tests. */
export const TIMELINE_STATES = VIEW_STATES
export { ST }
