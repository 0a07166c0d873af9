/**
 * A V8 heap snapshot (.heapsnapshot, written by --heapsnapshot-signal) summed per node kind
 * ("object:Map", "string", "closure:onData"): count and self size. Comparing two of them shows
 * what a process kept more of, which is how scripts/bench-rss.ts tells a leak (some kind keeps
 * growing) from allocator behaviour (nothing does). Reads the format's own `meta` description of
 * its flat arrays rather than assuming field positions.
 */
import { readFileSync } from 'node:fs'

interface SnapshotFile {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } }
  nodes: number[]
  strings: string[]
}

export interface KindTotals { count: number; selfBytes: number }

export function summarizeSnapshot(path: string): Map<string, KindTotals> {
  const file = JSON.parse(readFileSync(path, 'utf8')) as SnapshotFile
  const fields = file.snapshot.meta.node_fields
  const width = fields.length
  const typeAt = fields.indexOf('type')
  const nameAt = fields.indexOf('name')
  const sizeAt = fields.indexOf('self_size')
  const typeNames = file.snapshot.meta.node_types[0]
  const totals = new Map<string, KindTotals>()
  for (let i = 0; i + width <= file.nodes.length; i += width) {
    const type = typeNames[file.nodes[i + typeAt]!] ?? '?'
    // Strings' names are their contents: one kind for all of them, not one per value.
    const name = type === 'string' || type === 'concatenated string' || type === 'sliced string' || type === 'number' ? '' : (file.strings[file.nodes[i + nameAt]!] ?? '?').slice(0, 60)
    const key = name === '' ? type : `${type}:${name}`
    const t = totals.get(key) ?? { count: 0, selfBytes: 0 }
    t.count++
    t.selfBytes += file.nodes[i + sizeAt]!
    totals.set(key, t)
  }
  return totals
}

/** The `top` kinds whose self size grew most from `a` to `b`, with both totals. */
export function snapshotGrowth(a: Map<string, KindTotals>, b: Map<string, KindTotals>, top: number): { totalMb: [number, number]; kinds: { kind: string; count: [number, number]; selfKb: [number, number] }[] } {
  const sum = (m: Map<string, KindTotals>) => [...m.values()].reduce((s, t) => s + t.selfBytes, 0)
  const kinds = [...new Set([...a.keys(), ...b.keys()])].map((kind) => {
    const x = a.get(kind) ?? { count: 0, selfBytes: 0 }
    const y = b.get(kind) ?? { count: 0, selfBytes: 0 }
    return { kind, count: [x.count, y.count] as [number, number], selfKb: [Math.round(x.selfBytes / 1024), Math.round(y.selfBytes / 1024)] as [number, number], grew: y.selfBytes - x.selfBytes }
  }).sort((p, q) => q.grew - p.grew).slice(0, top).map(({ grew: _grew, ...k }) => k)
  const mb = (n: number) => Math.round(n / 1024 / 102.4) / 10
  return { totalMb: [mb(sum(a)), mb(sum(b))], kinds }
}
