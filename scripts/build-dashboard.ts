/**
 * Builds the dashboard (src/dashboard/web/) into dist/dashboard/web/: app.js (Preact + htm and
 * the page's code, one minified ES module), app.css and index.html. Run by `npm run build`, and
 * so by `prepare` after `npm install`; src/dashboard/assets.ts serves what it writes.
 *
 *   node scripts/build-dashboard.ts [--out DIR]
 *
 * Prints one JSON line: where it wrote and the bytes of each file.
 */
import { copyFileSync, mkdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { build } from 'esbuild'
import { DASHBOARD_DIR } from '../src/dashboard/assets.ts'

const { values } = parseArgs({ options: { out: { type: 'string', default: DASHBOARD_DIR } } })
const out = values.out
const web = fileURLToPath(new URL('../src/dashboard/web/', import.meta.url))

mkdirSync(out, { recursive: true })
await build({
  entryPoints: [`${web}main.ts`],
  outfile: `${out}/app.js`,
  bundle: true,
  format: 'esm',
  // What Debian's Chromium and any browser of the last few years run.
  target: ['es2022'],
  minify: true,
  legalComments: 'eof',
  logLevel: 'warning'
})
copyFileSync(`${web}app.css`, `${out}/app.css`)
copyFileSync(`${web}index.html`, `${out}/index.html`)
const bytes = Object.fromEntries(['index.html', 'app.js', 'app.css'].map((f) => [f, statSync(`${out}/${f}`).size]))
console.log(JSON.stringify({ out, bytes }))
