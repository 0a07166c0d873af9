/**
 * Human output for the CLI: tables, durations, shortened ids, colours. Everything here is a pure
 * function of its arguments (colour is a parameter, decided once by colorEnabled()), so the
 * commands' text can be checked without a terminal. Machine output is `--json`, never this.
 *
 * Text that came from the network (peer names, addresses, reasons) goes through sanitize(): a
 * peer must not be able to send escape sequences to an operator's terminal.
 */
import { styleText } from 'node:util'
import type { NodeStatus, PeerState } from '../api/protocol.ts'

export type Style = 'red' | 'yellow' | 'green' | 'dim' | 'bold'

/** Colour only on a terminal, and never when NO_COLOR is set to anything non-empty (no-color.org). */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  const noColor = env['NO_COLOR']
  return stream.isTTY === true && (noColor === undefined || noColor === '')
}

// C0 and C1 controls (ESC, CSI, BEL, CR...) and the bidirectional overrides that can reorder a line.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g

/** Replaces control and bidi-override characters with "?", so untrusted text prints as text. */
export function sanitize(text: string): string {
  return text.replace(UNSAFE, '?')
}

/** Sanitizes `text`, then colours it when `color` is on: the one way data reaches a terminal styled. */
export function paint(text: string, style: Style | undefined, color: boolean): string {
  const safe = sanitize(text)
  return color && style !== undefined ? styleText(style, safe, { validateStream: false }) : safe
}

/** `12D3KooWAbc…xyz` -> `12D3…wxyz`: long enough to tell peers apart in a table. */
export function shortId(id: string): string {
  const safe = sanitize(id)
  return safe.length <= 12 ? safe : `${safe.slice(0, 4)}…${safe.slice(-4)}`
}

/** 850ms, 3.2s, 5m, 2h13m, 3d4h: the largest units that keep the value short. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-'
  if (ms < 1000) return `${Math.round(ms)}ms`
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`
  const minutes = Math.floor(ms / 60_000)
  if (minutes < 60) return `${minutes}m`
  const hours = Math.floor(minutes / 60)
  if (hours < 24) return `${hours}h${minutes % 60}m`
  return `${Math.floor(hours / 24)}d${hours % 24}h`
}

export function formatLastHeard(ms: number | null): string {
  return ms === null ? 'never' : formatDuration(ms)
}

/** Phi beyond 99 means "silent for far longer than ever seen": the digits say nothing more. */
export function formatPhi(phi: number | null): string {
  if (phi === null || Number.isNaN(phi)) return '-'
  if (phi === Infinity) return '∞'
  return phi > 99 ? '>99' : phi.toFixed(1)
}

/** Display order: the states that need an operator first. */
const STATE_SEVERITY: Record<PeerState, number> = { dead: 0, missing: 1, suspect: 2, alive: 3, left: 4 }

export function stateSeverity(state: PeerState): number {
  return STATE_SEVERITY[state] ?? -1
}

export function stateStyle(state: PeerState): Style | undefined {
  switch (state) {
    case 'dead':
    case 'missing':
      return 'red'
    case 'suspect':
      return 'yellow'
    case 'alive':
      return 'green'
    case 'left':
      return 'dim'
    default:
      return undefined
  }
}

export function statusStyle(status: NodeStatus | 'unknown'): Style | undefined {
  switch (status) {
    case 'healthy':
      return 'green'
    case 'degraded':
      return 'yellow'
    case 'unhealthy':
      return 'red'
    default:
      return 'dim'
  }
}

/** Plain string comparison: the same order on every machine, whatever its locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export interface Column<T> {
  header: string
  /** The cell's text; sanitized before printing. */
  value(row: T): string
  style?(row: T): Style | undefined
  align?: 'left' | 'right'
}

const GAP = '  '

/**
 * Renders rows under a header line, columns separated by two spaces, no trailing spaces. Widths
 * are measured before colouring, so escape codes never skew the alignment.
 */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[], color: boolean): string {
  const cells = rows.map((row) => columns.map((column) => sanitize(column.value(row))))
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((line) => [...line[i]!].length)))
  const pad = (text: string, i: number): string => {
    const fill = ' '.repeat(widths[i]! - [...text].length)
    return columns[i]!.align === 'right' ? fill + text : i === columns.length - 1 ? text : text + fill
  }
  const lines = [columns.map((column, i) => paint(pad(column.header, i), 'bold', color)).join(GAP)]
  rows.forEach((row, r) => {
    lines.push(columns.map((column, i) => paint(pad(cells[r]![i]!, i), column.style?.(row), color)).join(GAP))
  })
  return `${lines.join('\n')}\n`
}

/** `label  value` lines with the labels aligned, for one object's details. */
export function renderFields(fields: readonly [label: string, value: string][], indent = '  '): string {
  const width = Math.max(0, ...fields.map(([label]) => label.length))
  return fields.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`).join('\n') + '\n'
}
