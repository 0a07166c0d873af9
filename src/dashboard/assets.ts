/**
 * The dashboard's static files, as the HTTP listener serves them. They are built at build time
 * (scripts/build-dashboard.ts, run by `npm run build` and so by `prepare`) into
 * dist/dashboard/web/. This file sits two folders below the package root both as
 * src/dashboard/assets.ts (`npm start`, tests) and as dist/dashboard/assets.js (the installed
 * package), so one relative URL finds the bundle in both.
 *
 * The files are read once, at start: a few tens of KiB, served from memory with no file access
 * per request and nothing a request can name outside this fixed set.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard/web/', import.meta.url))

/** Request path -> file in the bundle and its content type. */
const FILES: Readonly<Record<string, { file: string; contentType: string }>> = {
  '/': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', contentType: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', contentType: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', contentType: 'text/css; charset=utf-8' }
}

export interface DashboardAsset {
  body: Buffer
  contentType: string
}

export interface DashboardAssets {
  /** Whether the bundle was found; when not, `missing` says what to run. */
  readonly built: boolean
  readonly missing: string | undefined
  /** Whether the path is one of the dashboard's (served or, when not built, explained). */
  owns(pathname: string): boolean
  /** The file for a dashboard path; undefined when the path is not one, or not built. */
  lookup(pathname: string): DashboardAsset | undefined
}

/** Reads the bundle from `dir` (default: dist/dashboard/web/ of this package). */
export function loadDashboardAssets(dir: string = DASHBOARD_DIR): DashboardAssets {
  const loaded = new Map<string, DashboardAsset>()
  let missing: string | undefined
  try {
    const bodies = new Map<string, Buffer>()
    for (const [path, { file, contentType }] of Object.entries(FILES)) {
      const body = bodies.get(file) ?? readFileSync(`${dir}/${file}`)
      bodies.set(file, body)
      loaded.set(path, { body, contentType })
    }
  } catch (error) {
    loaded.clear()
    missing = `the dashboard is not built (${(error as Error).message}); run \`npm run build\``
  }
  return {
    built: missing === undefined,
    missing,
    owns: (pathname) => Object.hasOwn(FILES, pathname),
    lookup: (pathname) => loaded.get(pathname)
  }
}
