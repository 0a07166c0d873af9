import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { BearerToken } from '../../src/api/http-auth.ts'
import { startHttpListener, type HttpListener } from '../../src/api/http-listener.ts'
import type { AlertView, ClusterView, HistoryResponse, PeerView } from '../../src/api/protocol.ts'
import { loadDashboardAssets } from '../../src/dashboard/assets.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { fixtureAlerts, fixtureBackend, VIEW } from '../api/fixtures.ts'
import { chromiumMissing, ensureDashboardBuilt, openBrowser, type Browser } from './browser.ts'

/**
 * The dashboard at 1,000 members, in Chromium, over the real HTTP listener and bundle with a
 * backend holding a generated view: only the rows in sight are in the DOM, the filter finds one
 * member among them, the list scrolls to its end, and /v1/alerts in the alerts pipeline's shape
 * (AlertView, with a silence) renders with its badge. Time to first render is printed, not
 * asserted (performance belongs to scripts, not tests).
 */
const skip = chromiumMissing()
const MEMBERS = 1000

const name = (i: number): string => `peer-${String(i).padStart(4, '0')}`

function bigView(): ClusterView {
  const template = VIEW.peers[0]!
  const peers: PeerView[] = Array.from({ length: MEMBERS }, (_, i) => ({
    ...template,
    id: `12D3KooWScale${String(i).padStart(6, '0')}`,
    name: name(i),
    state: i === 500 ? 'dead' : i % 97 === 0 ? 'suspect' : 'alive',
    phi: i === 500 ? null : (i % 10) / 2
  }))
  return { ...VIEW, peers, generatedAt: new Date().toISOString() }
}

/** Two alerts in the shape the alerts pipeline serves: one firing and silenced, one pending. */
function alertViews(view: ClusterView): unknown[] {
  const dead = view.peers[500]!
  const suspect = view.peers[97]!
  const at = new Date().toISOString()
  return [
    {
      fingerprint: 'f1', alertname: 'PeerDead', state: 'firing', severity: 'critical', labels: { peer: dead.name },
      annotations: { summary: `Peer ${dead.name} is dead` }, subject: { kind: 'peer', id: dead.id, name: dead.name }, value: 1,
      startsAt: at, firedAt: at, resolvedAt: null, silencedBy: ['s-1'], inhibited: false, notifiedBy: []
    },
    {
      fingerprint: 'f2', alertname: 'PeerSuspect', state: 'pending', severity: 'warning', labels: { peer: suspect.name },
      annotations: {}, subject: { kind: 'peer', id: suspect.id, name: suspect.name }, value: 1,
      startsAt: at, firedAt: null, resolvedAt: null, silencedBy: [], inhibited: false, notifiedBy: []
    }
  ]
}

function history(metric: string): HistoryResponse {
  const now = Date.now()
  return {
    name: metric, unit: 'none', since: new Date(now - 60_000).toISOString(), until: new Date(now).toISOString(), stepMs: 10_000, resolutionMs: 10_000,
    series: [{ labels: {}, points: [0, 1, 2].map((i) => ({ at: new Date(now - (3 - i) * 10_000).toISOString(), min: i, max: i, avg: i, sum: i, count: 1 })) }]
  }
}

describe(`dashboard at ${MEMBERS} members`, { skip, timeout: 60_000 }, () => {
  let listener: HttpListener
  let browser: Browser

  before(async () => {
    ensureDashboardBuilt()
    const view = bigView()
    const backend = { ...fixtureBackend(view), alerts: fixtureAlerts(alertViews(view) as AlertView[]) }
    backend.history = (q) => history(q.name)
    listener = await startHttpListener({ host: '127.0.0.1', port: 0, backend, logger: silentLogger(), dashboard: loadDashboardAssets() })
    browser = await openBrowser({ width: 1280, height: 900 })
  })
  after(async () => {
    await browser?.close()
    await listener?.close()
  })

  test('renders only the rows in view, worst first, and filters and scrolls', async () => {
    const { page } = browser
    const started = performance.now()
    await page.goto(listener.url)
    await page.locator('.members h2', { hasText: String(MEMBERS + 1) }).waitFor({ timeout: 15_000 })
    console.log(`# first render of ${MEMBERS + 1} members: ${Math.round(performance.now() - started)} ms`)
    const rows = await page.locator('.member').count()
    assert.ok(rows > 10 && rows < 80, `${rows} rows in the DOM for ${MEMBERS + 1} members`)
    // Worst first: the dead member heads the list.
    assert.equal(await page.locator('.member').first().getAttribute('data-member'), name(500))

    await page.locator('input.filter').fill(name(777))
    await page.locator(`[data-member="${name(777)}"]`).waitFor({ timeout: 5000 })
    assert.equal(await page.locator('.member').count(), 1)
    await page.locator('input.filter').fill('suspect')
    await page.locator(`[data-member="${name(97)}"]`).waitFor({ timeout: 5000 })
    const suspects = Array.from({ length: MEMBERS }, (_, i) => i).filter((i) => i !== 500 && i % 97 === 0).length
    assert.equal(await page.locator('.member').count(), suspects)
    await page.locator('input.filter').fill('')

    await page.locator('.viewport').evaluate((el) => { el.scrollTop = el.scrollHeight })
    // This node (self) sorts last.
    await page.locator('[data-member="node-a"]').waitFor({ timeout: 5000 })
    assert.ok(await page.locator('[data-member="node-a"]').isVisible())
  })

  test('shows AlertViews with their silences, and a badge on the member', async () => {
    const { page } = browser
    await page.locator('.alerts [data-alert="PeerDead"]').waitFor({ timeout: 10_000 })
    const text = await page.locator('.alerts [data-alert="PeerDead"]').innerText()
    assert.match(text, /firing/)
    assert.match(text, /silenced \(1\)/)
    assert.match(text, /Peer peer-0500 is dead/)
    assert.match(await page.locator('.alerts [data-alert="PeerSuspect"]').innerText(), /pending/)
    await page.locator('.viewport').evaluate((el) => { el.scrollTop = 0 })
    await page.locator(`[data-member="${name(500)}"] .badge`, { hasText: 'PeerDead' }).waitFor({ timeout: 5000 })
  })

  test('no console errors', () => {
    assert.deepEqual(browser.errors, [])
  })
})

describe('dashboard behind a bearer token', { skip, timeout: 60_000 }, () => {
  const token = 'dashboard-test-token-0123456789'
  let listener: HttpListener
  let browser: Browser

  before(async () => {
    ensureDashboardBuilt()
    const backend = fixtureBackend(bigView())
    backend.history = (q) => history(q.name)
    listener = await startHttpListener({ host: '127.0.0.1', port: 0, backend, logger: silentLogger(), dashboard: loadDashboardAssets(), token: new BearerToken(token) })
    browser = await openBrowser()
  })
  after(async () => {
    await browser?.close()
    await listener?.close()
  })

  test('asks for the token, then shows the cluster; a #token= link works and leaves the address bar', async () => {
    const { page } = browser
    await page.goto(listener.url)
    await page.locator('form.token input').fill(token)
    await page.locator('form.token button').click()
    await page.locator(`[data-member="${name(500)}"][data-state="dead"]`).waitFor({ timeout: 10_000 })
    // Only the refused requests before the token was given were errors.
    assert.ok(browser.errors.every((e) => /401/.test(e)), browser.errors.join('\n'))

    const fresh = await browser.context.newPage()
    const errors: string[] = []
    fresh.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()) })
    await fresh.goto(`${listener.url}#token=${token}`)
    await fresh.locator(`[data-member="${name(500)}"]`).waitFor({ timeout: 10_000 })
    assert.equal(new URL(fresh.url()).hash, '', 'the token is taken out of the address')
    assert.deepEqual(errors, [])
  })
})


describe('dashboard on an agent that keeps no history', { skip, timeout: 60_000 }, () => {
  let listener: HttpListener
  let browser: Browser

  before(async () => {
    ensureDashboardBuilt()
    listener = await startHttpListener({ host: '127.0.0.1', port: 0, backend: fixtureBackend(bigView()), logger: silentLogger(), dashboard: loadDashboardAssets() })
    browser = await openBrowser()
  })
  after(async () => {
    await browser?.close()
    await listener?.close()
  })

  test('says so, after one refused request instead of one per sparkline', async () => {
    const { page } = browser
    await page.goto(listener.url)
    await page.locator('.history-note', { hasText: 'keeps no metric history' }).waitFor({ timeout: 10_000 })
    assert.equal(browser.errors.length, 1, browser.errors.join('\n'))
    assert.match(browser.errors[0]!, /503/)
  })
})
