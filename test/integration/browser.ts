/**
 * Debian's Chromium, driven by playwright-core (no browser download), for the dashboard tests.
 * Tests skip, saying why, only where /usr/bin/chromium is missing (.ci/run installs it). Each
 * launch gets a fresh profile dir, removed on close.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { DASHBOARD_DIR } from '../../src/dashboard/assets.ts'

export { freePort } from '../../src/sim/free-port.ts'

export const CHROMIUM = '/usr/bin/chromium'

/** Why the browser tests cannot run here, or undefined when they can. */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`
}

/** Builds the dashboard bundle when this checkout has none yet (npm test builds it first). */
export function ensureDashboardBuilt(): void {
  if (existsSync(join(DASHBOARD_DIR, 'app.js'))) return
  const script = fileURLToPath(new URL('../../scripts/build-dashboard.ts', import.meta.url))
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 60_000 })
  if (run.status !== 0) throw new Error(`building the dashboard failed: ${run.stderr}`)
}

export interface Browser {
  context: BrowserContext
  page: Page
  /** Console errors and uncaught page errors seen so far. */
  errors: string[]
  close(): Promise<void>
}

export async function openBrowser(viewport = { width: 1280, height: 860 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'hm-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 30_000
  })
  const page = context.pages()[0] ?? await context.newPage()
  const errors: string[] = []
  page.on('console', (message) => { if (message.type() === 'error') errors.push(`console: ${message.text()}`) })
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`))
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close().catch(() => {})
      rmSync(profile, { recursive: true, force: true })
    }
  }
}
