/**
 * What the dashboard shows, read defensively from the agent's JSON: every field is checked and
 * an absent or malformed one becomes empty (null, '' or []), so the page renders against older
 * and newer agents alike (for instance /v1/alerts before and after it carries AlertViews).
 */

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left' | 'missing' | 'self' | 'unknown'

export interface Summary {
  cpuPercent: number | null
  memoryPercent: number | null
  diskPercent: number | null
  loadPerCore: number | null
  checksFailing: number | null
}

export interface Member {
  id: string
  name: string
  state: MemberState
  phi: number | null
  agree: number | null
  total: number | null
  /** The member's own health summary: healthy, degraded, unhealthy, unknown. */
  status: string
  summary: Summary | null
  /** Epoch ms it entered its state; null when not said. */
  sinceMs: number | null
  isSelf: boolean
}

export interface SelfResources {
  cpuPercent: number | null
  memoryPercent: number | null
  diskPercent: number | null
  load1: number | null
  reasons: string[]
}

export interface ViewModel {
  self: Member | null
  resources: SelfResources | null
  cluster: string
  members: Member[]
  generatedAtMs: number | null
}

export type AlertState = 'pending' | 'firing' | 'flapping' | 'resolved'

/** One alert as shown (from an AlertView). */
export interface AlertItem {
  key: string
  alertname: string
  state: AlertState | ''
  severity: string
  summary: string
  /** The peer it is about (id), or null for this node or when not said. */
  subjectId: string | null
  subjectName: string
  startsAtMs: number | null
  silencedBy: string[]
  inhibited: boolean
}

export interface FeedItem {
  id: number
  type: string
  atMs: number | null
  peerId: string
  name: string
  from: string
  to: string
  text: string
}

type Json = Record<string, unknown>

const obj = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null)
const str = (v: unknown): string => (typeof v === 'string' ? v : '')
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : [])
const timeMs = (v: unknown): number | null => {
  if (typeof v === 'number' && Number.isFinite(v)) return v
  if (typeof v !== 'string' || v === '') return null
  const ms = Date.parse(v)
  return Number.isNaN(ms) ? null : ms
}
const STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left', 'missing']
const memberState = (v: unknown): MemberState => (STATES.includes(v as MemberState) ? (v as MemberState) : 'unknown')

function summaryOf(v: unknown): Summary | null {
  const s = obj(v)
  if (s === null) return null
  return { cpuPercent: num(s['cpuPercent']), memoryPercent: num(s['memoryPercent']), diskPercent: num(s['diskPercent']), loadPerCore: num(s['loadPerCore']), checksFailing: num(s['checksFailing']) }
}

function peerOf(v: unknown): Member | null {
  const p = obj(v)
  if (p === null || str(p['id']) === '') return null
  const observers = obj(p['observers'])
  return {
    id: str(p['id']),
    name: str(p['name']) || str(p['id']).slice(0, 12),
    state: memberState(p['state']),
    phi: num(p['phi']),
    agree: num(observers?.['agree']),
    total: num(observers?.['total']),
    status: str(p['status']) || 'unknown',
    summary: summaryOf(p['summary']),
    sinceMs: timeMs(p['since']),
    isSelf: false
  }
}

/** GET /v1/view. */
export function parseView(body: unknown): ViewModel {
  const v = obj(body) ?? {}
  const s = obj(v['self'])
  const r = obj(s?.['resources'])
  const self: Member | null = s === null ? null : {
    id: str(s['id']), name: str(s['name']) || 'this node', state: 'self', phi: null, agree: null, total: null,
    status: str(s['status']) || 'unknown',
    summary: r === null ? null : { cpuPercent: num(r['cpuPercent']), memoryPercent: num(r['memoryPercent']), diskPercent: num(r['diskPercent']), loadPerCore: num(r['loadPerCore']), checksFailing: num(s['checksFailing']) },
    sinceMs: timeMs(s['startedAt']), isSelf: true
  }
  const resources: SelfResources | null = s === null ? null : {
    cpuPercent: num(r?.['cpuPercent']), memoryPercent: num(r?.['memoryPercent']), diskPercent: num(r?.['diskPercent']), load1: num(r?.['load1']),
    reasons: arr(s['reasons']).filter((x): x is string => typeof x === 'string')
  }
  const members = arr(v['peers']).map(peerOf).filter((m): m is Member => m !== null)
  return { self, resources, cluster: str(s?.['cluster']), members, generatedAtMs: timeMs(v['generatedAt']) }
}


/** An AlertView (the alerts pipeline's shape). */
function alertViewOf(a: Json): AlertItem {
  const subject = obj(a['subject'])
  const labels = obj(a['labels']) ?? {}
  const annotations = obj(a['annotations']) ?? {}
  const isPeer = str(subject?.['kind']) === 'peer'
  const state = str(a['state'])
  return {
    key: str(a['fingerprint']) || `${str(a['alertname'])}/${str(subject?.['id'])}`,
    alertname: str(a['alertname']),
    state: (['pending', 'firing', 'flapping', 'resolved'] as const).find((s) => s === state) ?? '',
    severity: str(a['severity']),
    summary: str(annotations['summary']) || str(annotations['description']),
    subjectId: isPeer ? str(subject?.['id']) || null : null,
    subjectName: isPeer ? str(subject?.['name']) || str(labels['peer']) : 'this node',
    startsAtMs: timeMs(a['startsAt']),
    silencedBy: arr(a['silencedBy']).filter((x): x is string => typeof x === 'string'),
    inhibited: a['inhibited'] === true
  }
}

/** GET /v1/alerts (AlertView entries); newest first. */
export function parseAlerts(body: unknown): AlertItem[] {
  const items = arr(obj(body)?.['alerts']).map(obj).filter((a): a is Json => a !== null && 'alertname' in a)
  return items.map(alertViewOf).sort((a, b) => (b.startsAtMs ?? 0) - (a.startsAtMs ?? 0))
}

/** One line of GET /v1/events/stream; null for heartbeats and anything unrecognised. */
export function parseStreamLine(line: unknown): FeedItem | { error: string } | null {
  const l = obj(line)
  if (l === null) return null
  if (l['type'] === 'error') return { error: str(obj(l['error'])?.['message']) || 'the stream ended with an error' }
  const id = num(l['id'])
  if (id === null) return null
  const d = obj(l['data']) ?? {}
  const type = str(l['type'])
  const text = type === 'alert:raised' ? str(d['message']) : str(d['reason'])
  return { id, type, atMs: timeMs(l['at']), peerId: str(d['peer']), name: str(d['name']), from: str(d['from']), to: str(d['to']), text }
}

/** History points of the first series of GET /v1/metrics/history, as [epoch ms, avg]. */
export function parseHistory(body: unknown): [number, number][] {
  const series = obj(arr(obj(body)?.['series'])[0])
  const out: [number, number][] = []
  for (const p of arr(series?.['points'])) {
    const point = obj(p)
    const at = timeMs(point?.['at'])
    const avg = num(point?.['avg'])
    if (at !== null && avg !== null) out.push([at, avg])
  }
  return out
}

/** The states a peer event can move a member to. */
export const LIVE_STATES: ReadonlySet<string> = new Set(['alive', 'suspect', 'dead', 'left', 'missing'])

/** The view with each member's state as the newest event says, where that is newer than the view. */
export function withLiveStates(view: ViewModel, latest: ReadonlyMap<string, FeedItem>): ViewModel {
  const builtAt = view.generatedAtMs ?? 0
  return {
    ...view,
    members: view.members.map((m) => {
      const e = latest.get(m.id)
      if (e === undefined || e.atMs === null || e.atMs <= builtAt || !LIVE_STATES.has(e.to)) return m
      return { ...m, state: e.to as MemberState, sinceMs: e.atMs }
    })
  }
}

/** Whether a member matches the filter box: part of its name or id, or its exact state or health status. */
export function matches(member: Member, filter: string): boolean {
  if (filter === '') return true
  const f = filter.toLowerCase()
  return member.name.toLowerCase().includes(f) || member.id.toLowerCase().includes(f) || member.state === f || member.status === f
}
