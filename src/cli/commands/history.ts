/**
 * `healthmon history METRIC [--since 1h] [--step 1m] [--json]`: one metric's stored history from
 * GET /v1/metrics/history, one sparkline per series (label set) with its min, max, average and
 * latest value. Buckets without data are blanks in the line, so gaps (the agent was down) show.
 */
import { Command } from 'commander'
import { API_PATHS, withQuery, type HistoryResponse, type HistorySeries } from '../../api/protocol.ts'
import { colorEnabled, formatDuration, paint, sanitize } from '../format.ts'
import { sparkline } from '../health-format.ts'
import { fetchFromAgent, printJson, withClientOptions, type ClientOptions } from './common.ts'

/** Widest sparkline drawn; a finer step is averaged into this many characters. */
const WIDTH_MAX = 120

function formatValue(value: number, unit: string): string {
  if (unit === 'bytes') {
    const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']
    let v = value
    let i = 0
    while (Math.abs(v) >= 1000 && i < units.length - 1) {
      v /= 1000
      i++
    }
    return `${v.toFixed(i === 0 ? 0 : 1)}${units[i]}`
  }
  const text = Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3)
  return unit === 'percent' ? `${text}%` : unit === 'seconds' ? `${text}s` : text
}

function labelText(labels: Record<string, string>): string {
  const entries = Object.entries(labels)
  return entries.length === 0 ? '' : `{${entries.map(([k, v]) => `${k}="${sanitize(v)}"`).join(',')}}`
}

/** The series' averages on a grid of equal cells from since to until; a cell without data is null. */
export function gridOf(series: HistorySeries, sinceMs: number, untilMs: number, stepMs: number): (number | null)[] {
  const cells = Math.max(1, Math.min(WIDTH_MAX, Math.ceil((untilMs - sinceMs) / stepMs)))
  const width = (untilMs - sinceMs) / cells
  const sums = new Array<number>(cells).fill(0)
  const counts = new Array<number>(cells).fill(0)
  for (const p of series.points) {
    const i = Math.floor((Date.parse(p.at) - sinceMs) / width)
    const cell = Math.max(0, Math.min(cells - 1, i))
    sums[cell]! += p.sum
    counts[cell]! += p.count
  }
  return sums.map((s, i) => (counts[i]! > 0 ? s / counts[i]! : null))
}

export function renderHistory(h: HistoryResponse, color: boolean): string {
  const sinceMs = Date.parse(h.since)
  const untilMs = Date.parse(h.until)
  const head = `${paint(sanitize(h.name), 'bold', color)} (${sanitize(h.unit)}) over ${formatDuration(untilMs - sinceMs)}, step ${formatDuration(h.stepMs)}, from the ${formatDuration(h.resolutionMs)} tier\n`
  if (h.series.length === 0) return `${head}no series\n`
  const lines = h.series.map((s) => {
    const name = `  ${sanitize(h.name)}${labelText(s.labels)}`
    if (s.points.length === 0) return `${name}\n    no points in this range\n`
    const min = Math.min(...s.points.map((p) => p.min))
    const max = Math.max(...s.points.map((p) => p.max))
    const total = s.points.reduce((a, p) => ({ sum: a.sum + p.sum, count: a.count + p.count }), { sum: 0, count: 0 })
    const last = s.points.at(-1)!
    const stats = `min ${formatValue(min, h.unit)}  max ${formatValue(max, h.unit)}  avg ${formatValue(total.sum / total.count, h.unit)}  last ${formatValue(last.avg, h.unit)}`
    return `${name}\n    ${sparkline(gridOf(s, sinceMs, untilMs, h.stepMs))}\n    ${stats}\n`
  })
  return head + lines.join('')
}

export function historyCommand(): Command {
  return withClientOptions(new Command('history'))
    .description("show a metric's stored history as a sparkline per series (from GET /v1/metrics/history)")
    .argument('<metric>', 'metric name, e.g. node_load1, healthmon_cpu_busy_percent, node_filesystem_avail_bytes')
    .option('--since <time>', 'start: a duration before now (90s, 10m, 1h, 2d) or an ISO 8601 time', '1h')
    .option('--step <duration>', 'width of each point (10s, 1m, 1h); default: the agent picks one for about 360 points')
    .addHelpText('after', `
History keeps 10 s points for 6 h, 1 min points for 48 h and 1 h points for 30 days,
each with min, max, sum and count. With --json, prints exactly the object of
GET /v1/metrics/history. Exits 1 when the agent keeps no history for the metric.`)
    .action(async (metric: string, options: ClientOptions & { since?: string; step?: string }) => {
      const h = await fetchFromAgent<HistoryResponse>(options, withQuery(API_PATHS.metricsHistory, { name: metric, since: options.since, step: options.step }))
      if (options.json === true) printJson(h)
      else process.stdout.write(renderHistory(h, colorEnabled()))
    })
}
