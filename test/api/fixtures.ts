/**
 * Shared by the API and CLI tests: a fixed ClusterView, a backend over it, temp socket dirs and
 * small HTTP helpers that talk to a real unix socket.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { assessHealth } from '../../src/api/health.ts'
import type { AlertView, ClusterView, PeerDetail, PeerView, SilenceRequest, SilenceView } from '../../src/api/protocol.ts'
import { filterAlerts, type AlertFilter } from '../../src/api/alert-views.ts'
import type { AlertsBackend } from '../../src/api/routes.ts'
import { parseMatcher } from '../../src/alerts/matchers.ts'
import { HealthmonError } from '../../src/errors.ts'
import type { ApiBackend } from '../../src/api/server.ts'
import { EventLog } from '../../src/event-log.ts'
import type { PeerEvent } from '../../src/events.ts'

function peer(overrides: Partial<PeerView> & Pick<PeerView, 'id' | 'name' | 'state'>): PeerView {
  return {
    phi: 0.4,
    lastHeardMs: 850,
    observers: { agree: 3, total: 3 },
    status: 'healthy',
    incarnation: 1,
    observedBySelf: true,
    failureCount: 0,
    since: '2025-01-01T00:00:00.000Z',
    addrs: [`/ip4/127.0.0.1/tcp/7946/p2p/${overrides.id}`],
    summary: { cpuPercent: 12.5, memoryPercent: 40.1, diskPercent: 55, loadPerCore: 0.3, checksFailing: 0, failingChecks: [] },
    ...overrides
  }
}

export const VIEW: ClusterView = {
  self: {
    id: '12D3KooWSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1fSe1fabcd',
    name: 'node-a',
    cluster: 'test',
    status: 'healthy',
    incarnation: 3,
    addrs: ['/ip4/127.0.0.1/tcp/7946'],
    awareness: 0,
    startedAt: '2025-01-01T00:00:00.000Z',
    uptimeMs: 7_980_000,
    version: '0.1.0',
    pid: 4242,
    join: { state: 'none', addresses: [], attempts: 0 },
    reasons: [],
    resources: null,
    checksFailing: 0,
    failingChecks: []
  },
  peers: [
    peer({ id: '12D3KooWBbbbBbbbBbbbBbbbBbbbBbbbBbbbBbbbBbbbbbbb', name: 'node-b', state: 'alive' }),
    peer({ id: '12D3KooWCcccCcccCcccCcccCcccCcccCcccCcccCccccccc', name: 'node-c', state: 'suspect', phi: 8.123, lastHeardMs: 3250, observers: { agree: 2, total: 3 }, status: 'degraded', failureCount: 2 }),
    peer({ id: '12D3KooWDdddDdddDdddDdddDdddDdddDdddDdddDddddddd', name: 'node-d', state: 'dead', phi: null, lastHeardMs: 300_000, observedBySelf: false, status: 'unknown', failureCount: 1 }),
    peer({ id: '12D3KooWEeeeEeeeEeeeEeeeEeeeEeeeEeeeEeeeEeeeeeee', name: 'node-e', state: 'left', phi: null, lastHeardMs: 60_000 }),
    peer({ id: '12D3KooWFfffFfffFfffFfffFfffFfffFfffFfffFfffffff', name: 'rack 1/db?', state: 'missing', phi: null, lastHeardMs: null, observers: { agree: 0, total: 0 }, status: 'unknown', addrs: [] })
  ],
  generatedAt: '2025-01-01T02:13:00.000Z'
}

function alertView(overrides: Partial<AlertView> & Pick<AlertView, 'fingerprint' | 'alertname' | 'state' | 'severity' | 'startsAt'>): AlertView {
  return {
    labels: { alertname: overrides.alertname, severity: overrides.severity }, annotations: {}, subject: { kind: 'self' }, value: 1,
    firedAt: overrides.state === 'pending' ? null : overrides.startsAt, resolvedAt: null, lastNotifiedAt: null, silencedBy: [], inhibited: false, notifiedBy: [],
    ...overrides
  }
}

const peerAlert = (p: PeerView, alertname: string, severity: AlertView['severity'], startsAt: string, state: AlertView['state'] = 'firing'): AlertView => alertView({
  fingerprint: `${alertname}-${p.name}`.replace(/[^a-z0-9]/gi, '').toLowerCase().padEnd(16, '0').slice(0, 16),
  alertname, state, severity, startsAt,
  labels: { alertname, peer: p.name, peer_id: p.id, severity },
  annotations: { summary: `Peer ${p.name} is ${alertname === 'PeerDead' ? 'dead' : 'suspected of failure'}` },
  subject: { kind: 'peer', id: p.id, name: p.name }
})

/** The alerts the fixture backend holds: node-c suspect (warning), node-d dead (critical), a pending disk alert. */
export const ALERTS: AlertView[] = [
  peerAlert(VIEW.peers[1]!, 'PeerSuspect', 'warning', '2025-01-01T02:12:00.000Z'),
  peerAlert(VIEW.peers[2]!, 'PeerDead', 'critical', '2025-01-01T02:12:30.000Z'),
  alertView({
    fingerprint: '00000000000d15c0', alertname: 'DiskSpaceLow', state: 'pending', severity: 'warning', startsAt: '2025-01-01T02:10:00.000Z',
    labels: { alertname: 'DiskSpaceLow', mountpoint: '/var', node: 'node-a', severity: 'warning' }, annotations: { summary: 'Filesystem /var on node-a has 8 % free' }, value: 8
  })
]

/** An AlertsBackend over fixed alerts (the real filter) and an in-memory list of silences. */
export function fixtureAlerts(alerts: readonly AlertView[] = ALERTS, nowMs = Date.parse('2025-01-01T02:13:00.000Z')): AlertsBackend & { silenceList: SilenceView[] } {
  const backend = {
    silenceList: [] as SilenceView[],
    alerts: (filter: AlertFilter) => filterAlerts(alerts, filter),
    history: (q: { beforeId?: number; limit: number }) => {
      const all = [3, 2, 1].filter((id) => q.beforeId === undefined || id < q.beforeId).map((id) => ({ ...ALERTS[0]!, state: 'resolved' as const, resolvedAt: '2025-01-01T02:12:40.000Z', id }))
      const page = all.slice(0, q.limit)
      return { alerts: page, nextBefore: all.length > q.limit ? page.at(-1)!.id : null }
    },
    silences: () => backend.silenceList,
    addSilence: (r: SilenceRequest): SilenceView => {
      if (!Array.isArray(r.matchers) || r.matchers.length === 0) throw new HealthmonError('SILENCE_INVALID', 'invalid silence: a silence needs at least one matcher')
      const s: SilenceView = {
        id: `s${backend.silenceList.length + 1}`, matchers: r.matchers.map((m) => (typeof m === 'string' ? parseMatcher(m) : m)),
        startsAt: new Date(nowMs).toISOString(), endsAt: new Date(nowMs + 3_600_000).toISOString(), createdBy: r.createdBy, comment: r.comment ?? '', updatedAt: new Date(nowMs).toISOString(), status: 'active'
      }
      backend.silenceList.push(s)
      return s
    },
    expireSilence: (id: string): SilenceView => {
      const s = backend.silenceList.find((x) => x.id === id && x.status !== 'expired')
      if (s === undefined) throw new HealthmonError('SILENCE_NOT_FOUND', `no live silence with id "${id}"`)
      s.status = 'expired'
      return s
    }
  }
  return backend
}

export function detailOf(view: PeerView): PeerDetail {
  return {
    ...view,
    history: view.state === 'alive' ? [] : [{ at: '2025-01-01T02:12:00.000Z', from: 'alive', to: view.state, reason: `phi ${view.phi ?? '-'} crossed the threshold` }],
    trend: null
  }
}

export const METRICS_TEXT = '# HELP healthmon_test_total A test counter\n# TYPE healthmon_test_total counter\nhealthmon_test_total 3\n'

/** A peer event as the node logs it, for the fixture event log. */
export function peerEvent(peer: PeerView, from: PeerEvent['from'], to: PeerEvent['to'], atMs: number): PeerEvent {
  return { peer: peer.id, name: peer.name, from, to, incarnation: peer.incarnation, reason: `${from} -> ${to}`, observedBySelf: true, atMs }
}

/** A backend over the fixed data; set `failing` to make every call throw. `eventLog` starts with 3 events. */
export interface FixtureBackend extends ApiBackend {
  failing: boolean
  eventLog: EventLog
}

export const EVENTS_AT_MS = Date.parse('2025-01-01T02:12:00.000Z')

export function fixtureBackend(view: ClusterView = VIEW, eventLogMax = 100): FixtureBackend {
  const eventLog = new EventLog(eventLogMax)
  const c = view.peers[1] ?? VIEW.peers[1]!
  eventLog.append('peer:joined', EVENTS_AT_MS, peerEvent(c, 'missing', 'alive', EVENTS_AT_MS))
  eventLog.append('peer:suspected', EVENTS_AT_MS + 1000, peerEvent(c, 'alive', 'suspect', EVENTS_AT_MS + 1000))
  eventLog.append('alert:raised', EVENTS_AT_MS + 1000, { id: 1, severity: 'warning', peer: c.id, message: `${c.name} is suspect`, atMs: EVENTS_AT_MS + 1000 })
  const backend: FixtureBackend = {
    failing: false,
    eventLog,
    events: eventLog,
    health() {
      if (backend.failing) throw new Error('view is rebuilding')
      return assessHealth(view, { max: 8, unhealthyAt: 4 })
    },
    async metrics() {
      if (backend.failing) throw new Error('registry unavailable')
      return { contentType: 'text/plain; version=0.0.4; charset=utf-8', text: METRICS_TEXT }
    },
    view() {
      if (backend.failing) throw new Error('view is rebuilding')
      return view
    },
    peer(idOrName) {
      if (backend.failing) throw new Error('view is rebuilding')
      const found = view.peers.find((p) => p.id === idOrName) ?? view.peers.find((p) => p.name === idOrName)
      return found === undefined ? undefined : detailOf(found)
    },
    alerts: (() => {
      const a = fixtureAlerts()
      return { ...a, alerts: (f: AlertFilter) => { if (backend.failing) throw new Error('alerts unavailable'); return a.alerts(f) } }
    })()
  }
  return backend
}

/** A short temp dir (unix socket paths are limited to 107 bytes) and its removal. */
export async function tempDir(): Promise<{ dir: string; [Symbol.asyncDispose](): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'hm-'))
  return { dir, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) }
}

export interface HttpAnswer {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
}

/** One HTTP request, without the ApiClient's interpretation: on a unix socket (a path) or a TCP address (the HTTP listener). */
export function httpRequest(target: string | { host: string; port: number }, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<HttpAnswer> {
  const where = typeof target === 'string' ? { socketPath: target } : { host: target.host, port: target.port }
  return new Promise((resolve, reject) => {
    const req = request({ ...where, path: options.path, method: options.method ?? 'GET', headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

/** Connects and resolves with the socket once connected. */
export function rawConnect(socketPath: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath)
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })
}

/** Everything the server sends on a socket until it closes the connection. */
export function readUntilClose(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('error', () => undefined)
    socket.once('close', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })
}

/** Polls `predicate` every 5 ms until it holds, failing after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
