/**
 * Formatting node health for the terminal: percentages, load, a sparkline of a series (the
 * eight block characters of spark(1) and Netdata's console charts), and a trend's heading.
 * Pure functions; no colours here (format.ts paints).
 */
import type { PeerSummary, SelfResources, TrendHeading } from '../api/protocol.ts'
import { sanitize } from './format.ts'

export function formatPercent(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : `${value.toFixed(value < 10 ? 1 : 0)}%`
}

export function formatLoad(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(2)
}

const BLOCKS = '▁▂▃▄▅▆▇█'

/** One character per value, scaled between the series' min and max; null (no data) is a space. */
export function sparkline(values: readonly (number | null)[]): string {
  const known = values.filter((v): v is number => v !== null && Number.isFinite(v))
  if (known.length === 0) return ''
  const min = Math.min(...known)
  const max = Math.max(...known)
  return values.map((v) => {
    if (v === null || !Number.isFinite(v)) return ' '
    if (max === min) return BLOCKS[3]
    return BLOCKS[Math.min(BLOCKS.length - 1, Math.floor(((v - min) / (max - min)) * BLOCKS.length))]
  }).join('')
}

/** "23.0% ↑ +1.20/min", "40% →", "-". */
export function formatHeading(h: TrendHeading, unit: '%' | ''): string {
  if (h.last === null) return '-'
  const last = unit === '%' ? formatPercent(h.last) : formatLoad(h.last)
  if (h.perMinute === null) return last
  const arrow = Math.abs(h.perMinute) < 0.05 ? '→' : h.perMinute > 0 ? '↑' : '↓'
  return `${last} ${arrow} ${h.perMinute >= 0 ? '+' : ''}${h.perMinute.toFixed(2)}${unit}/min`
}

/** The CHECKS column: "0", or "2: web, disk-root". */
export function formatFailing(summary: Pick<PeerSummary, 'checksFailing' | 'failingChecks'> | null): string {
  if (summary === null) return '-'
  if (summary.checksFailing === 0) return '0'
  const names = summary.failingChecks.slice(0, 3).map(sanitize).join(', ')
  return `${summary.checksFailing}${names === '' ? '' : `: ${names}${summary.failingChecks.length > 3 ? ', …' : ''}`}`
}

/** "cpu 12% mem 40% disk 55% (/) load 0.30/core". */
export function formatResources(r: SelfResources | null): string {
  if (r === null) return 'resources not sampled yet'
  const fullest = r.disks.reduce<SelfResources['disks'][number] | undefined>((a, d) => a === undefined || Math.max(d.usedPercent, d.inodesUsedPercent) > Math.max(a.usedPercent, a.inodesUsedPercent) ? d : a, undefined)
  const disk = fullest === undefined ? '-' : `${formatPercent(r.diskPercent)} (${sanitize(fullest.mountpoint)})`
  return `cpu ${formatPercent(r.cpuPercent)}, mem ${formatPercent(r.memoryPercent)}, disk ${disk}, load ${formatLoad(r.loadPerCore)}/core`
}
