#!/usr/bin/env node
// The `healthmon` command (package.json "bin" points at the built copy, dist/cli/healthmon.js).
// Plain JavaScript that any Node.js parses, so that on an old Node it can say which version it
// needs instead of failing on syntax; the program itself (main.js in dist/, main.ts in a source
// checkout, run by Node 24's type stripping) is imported only after the check.
// The agent's V8 heap flags do not depend on how it was launched: `healthmon agent` applies
// them itself (src/cli/agent-heap.ts).
import { existsSync } from 'node:fs'

const NODE_MAJOR_MIN = 24
const major = Number(process.versions.node.split('.')[0])
if (!(major >= NODE_MAJOR_MIN)) {
  process.stderr.write(`healthmon: needs Node.js ${NODE_MAJOR_MIN} or newer, but ${process.execPath} is Node.js ${process.versions.node}\n`)
  process.exit(1)
}
const built = new URL('./main.js', import.meta.url)
await import(existsSync(built) ? built.href : new URL('./main.ts', import.meta.url).href)
