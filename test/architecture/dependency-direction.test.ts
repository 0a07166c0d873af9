/**
 * The API depends on the core, never the reverse (src/ARCHITECTURE.md, "Dependency direction"):
 * no module of the core reaches src/api/ through its imports, type-only ones included, directly
 * or through another module. Reads the import specifiers of every source file as text.
 */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, normalize, relative } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const src = join(root, 'src')
/** The core: what the API serializes is produced here, so none of it may know the API. */
const CORE = ['src/domain/', 'src/events.ts', 'src/view/', 'src/alerts/', 'src/node/', 'src/detector/', 'src/actors/', 'src/membership/', 'src/health/']

/** Relative import and re-export specifiers (static and dynamic) of one file, resolved to repo paths. */
function importsOf(file: string, text: string): string[] {
  const found: string[] = []
  const pattern = /(?:^|\s)(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'|import\(\s*'(\.{1,2}\/[^']+)'\s*\)/gm
  for (const m of text.matchAll(pattern)) {
    const spec = m[1] ?? m[2]!
    found.push(relative(root, normalize(join(dirname(file), spec))))
  }
  return found
}

function sourceFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...sourceFiles(path))
    else if (entry.name.endsWith('.ts')) out.push(path)
  }
  return out
}

test('the import reader finds static, type-only, re-exported and dynamic relative imports', () => {
  const text = "import type { A } from '../api/protocol.ts'\nimport {\n  B\n} from './b.ts'\nexport { C } from '../domain/index.ts'\nconst d = await import('./d.ts')\nimport { z } from 'zod'\n"
  assert.deepEqual(importsOf(join(src, 'view', 'x.ts'), text), ['src/api/protocol.ts', 'src/view/b.ts', 'src/domain/index.ts', 'src/view/d.ts'])
})

test('no core module reaches src/api/, even through other modules', () => {
  const graph = new Map<string, string[]>()
  for (const file of sourceFiles(src)) graph.set(relative(root, file), importsOf(file, readFileSync(file, 'utf8')))
  const offenders: string[] = []
  for (const start of graph.keys()) {
    if (!CORE.some((c) => start.startsWith(c))) continue
    // Depth-first over the import graph, remembering the way so the failure says how it gets there.
    const way = new Map<string, string>([[start, '']])
    const stack = [start]
    while (stack.length > 0) {
      const at = stack.pop()!
      for (const next of graph.get(at) ?? []) {
        if (way.has(next)) continue
        way.set(next, at)
        if (next.startsWith('src/api/')) {
          const path = [next]
          for (let p = at; p !== ''; p = way.get(p)!) path.unshift(p)
          offenders.push(path.join(' -> '))
        } else stack.push(next)
      }
    }
  }
  assert.ok(graph.size > 100, `read ${graph.size} source files`)
  assert.deepEqual(offenders, [])
})
