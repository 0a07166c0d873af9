/**
 * Performance data in the Monitoring Plugins format (development guidelines, "Performance
 * data", https://www.monitoring-plugins.org/doc/guidelines.html#AEN201):
 *
 *   'label'=value[UOM];[warn];[crit];[min];[max]
 *
 * - items are separated by spaces; a label with spaces or "=" is single-quoted, and a quote
 *   inside a quoted label is written twice ('it''s'=1);
 * - value, min and max are numbers in the C locale ([-0-9.]); warn and crit are ranges
 *   ([@][start:]end, start may be ~); trailing empty fields may be left out;
 * - UOM is none, s/ms/us, %, B/KB/MB/TB (and GB), or c (a continuous counter). Also accepted,
 *   as Icinga does: kB, and the binary KiB/MiB/GiB/TiB newer plugins print.
 *
 * Values are normalised to the units of src/health/types.ts: seconds, bytes (KB = 1000 B, as
 * the guidelines use it; KiB = 1024 B), percent, counter, none. A malformed item is dropped and
 * counted by reason; it never makes the whole output fail. Pure: text in, items out.
 */
import type { Sample, SampleUnit } from '../health/types.ts'

export interface PerfItem {
  label: string
  /** The value in `unit`'s base (ms and us become seconds, KB..TB bytes). */
  value: number
  unit: SampleUnit
  /** The UOM as the plugin wrote it ('' for none). */
  uom: string
  /** Ranges as written (thresholds are the plugin's business, shown as they are). */
  warn?: string
  crit?: string
  /** In `unit`'s base, like value. */
  min?: number
  max?: number
}

export type PerfRejectReason = 'syntax' | 'label' | 'value' | 'unit' | 'threshold' | 'too-many'
export const PERF_REJECT_REASONS: readonly PerfRejectReason[] = ['syntax', 'label', 'value', 'unit', 'threshold', 'too-many']

export interface PerfdataParse {
  perfdata: PerfItem[]
  /** Items dropped, by reason. */
  rejected: Record<PerfRejectReason, number>
}

/** Longest label kept (it becomes a label value of the check's samples). */
export const PERF_LABEL_CHARS_MAX = 128
/** Items kept per result; later ones are dropped as 'too-many'. */
export const PERF_ITEMS_MAX = 64

const UNITS: Readonly<Record<string, { unit: SampleUnit; factor: number }>> = {
  '': { unit: 'none', factor: 1 },
  s: { unit: 'seconds', factor: 1 },
  ms: { unit: 'seconds', factor: 1e-3 },
  us: { unit: 'seconds', factor: 1e-6 },
  '%': { unit: 'percent', factor: 1 },
  B: { unit: 'bytes', factor: 1 },
  KB: { unit: 'bytes', factor: 1e3 },
  kB: { unit: 'bytes', factor: 1e3 },
  MB: { unit: 'bytes', factor: 1e6 },
  GB: { unit: 'bytes', factor: 1e9 },
  TB: { unit: 'bytes', factor: 1e12 },
  KiB: { unit: 'bytes', factor: 1024 },
  MiB: { unit: 'bytes', factor: 1024 ** 2 },
  GiB: { unit: 'bytes', factor: 1024 ** 3 },
  TiB: { unit: 'bytes', factor: 1024 ** 4 },
  c: { unit: 'counter', factor: 1 }
}

const NUMBER = '-?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?'
const VALUE_RE = new RegExp(`^(${NUMBER})([A-Za-z%]*)$`)
const NUMBER_RE = new RegExp(`^${NUMBER}$`)
const RANGE_RE = new RegExp(`^@?(?:(?:~|${NUMBER})?:)?(?:${NUMBER})?$`)

export function emptyRejects(): Record<PerfRejectReason, number> {
  return { syntax: 0, label: 0, value: 0, unit: 0, threshold: 0, 'too-many': 0 }
}

/** Parses the perfdata part(s) of a plugin's output (everything after the "|"s, joined). */
export function parsePerfdata(text: string): PerfdataParse {
  const perfdata: PerfItem[] = []
  const rejected = emptyRejects()
  let i = 0
  const n = text.length
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n'
  const skipToken = (): void => {
    while (i < n && !isSpace(text[i])) i++
  }
  while (i < n) {
    while (i < n && isSpace(text[i])) i++
    if (i >= n) break
    let label = ''
    if (text[i] === "'") {
      let closed = false
      i++
      while (i < n) {
        if (text[i] === "'") {
          if (text[i + 1] === "'") {
            label += "'"
            i += 2
            continue
          }
          i++
          closed = true
          break
        }
        label += text[i]
        i++
      }
      if (!closed) {
        // An unterminated quote swallows the rest: nothing after it can be trusted.
        rejected.syntax += 1
        break
      }
      if (text[i] !== '=') {
        rejected.syntax += 1
        skipToken()
        continue
      }
    } else {
      const start = i
      while (i < n && text[i] !== '=' && !isSpace(text[i])) i++
      if (text[i] !== '=') {
        rejected.syntax += 1
        continue
      }
      label = text.slice(start, i)
    }
    i++ // the '='
    const start = i
    skipToken()
    const item = parseItem(label, text.slice(start, i))
    if (typeof item === 'string') rejected[item] += 1
    else if (perfdata.length >= PERF_ITEMS_MAX) rejected['too-many'] += 1
    else perfdata.push(item)
  }
  return { perfdata, rejected }
}

/** One `label=value[UOM];warn;crit;min;max` item, or why it is dropped. */
function parseItem(label: string, field: string): PerfItem | PerfRejectReason {
  if (label === '' || label.length > PERF_LABEL_CHARS_MAX) return 'label'
  const [valuePart = '', warn = '', crit = '', min = '', max = '', ...extra] = field.split(';')
  if (extra.length > 0) return 'syntax'
  const match = VALUE_RE.exec(valuePart)
  // 'U' (undetermined, allowed by the guidelines) carries no number: nothing to record.
  if (match === null) return 'value'
  const uom = match[2]!
  const unit = Object.hasOwn(UNITS, uom) ? UNITS[uom]! : undefined
  if (unit === undefined) return 'unit'
  const value = Number(match[1]) * unit.factor
  if (!Number.isFinite(value)) return 'value'
  const item: PerfItem = { label, value, unit: unit.unit, uom }
  for (const [key, range] of [['warn', warn], ['crit', crit]] as const) {
    if (range === '') continue
    if (!RANGE_RE.test(range)) return 'threshold'
    item[key] = range
  }
  for (const [key, bound] of [['min', min], ['max', max]] as const) {
    if (bound === '') continue
    if (!NUMBER_RE.test(bound)) return 'threshold'
    item[key] = Number(bound) * unit.factor
  }
  return item
}

/** Sample name suffix per unit (Prometheus conventions: base units in the name, _total for counters). */
const NAME_BY_UNIT: Readonly<Record<SampleUnit, string>> = {
  seconds: 'healthmon_check_perfdata_seconds',
  bytes: 'healthmon_check_perfdata_bytes',
  percent: 'healthmon_check_perfdata_percent',
  ratio: 'healthmon_check_perfdata_ratio',
  counter: 'healthmon_check_perfdata_total',
  none: 'healthmon_check_perfdata'
}

/**
 * A check's perfdata as Samples: one per item, named by unit, labelled with the check id and the
 * plugin's label (both bounded: ids by config, labels by PERF_LABEL_CHARS_MAX and PERF_ITEMS_MAX).
 */
export function perfSamples(checkId: string, items: readonly PerfItem[], atMs: number): Sample[] {
  return items.map((item) => ({ name: NAME_BY_UNIT[item.unit], labels: { check: checkId, label: item.label }, value: item.value, unit: item.unit, atMs }))
}
