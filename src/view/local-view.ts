import type { PeerState, PeerSummary, PeerView } from '../domain/index.ts'
import type { PeerEvent } from '../events.ts'
import type { MemberTable } from '../membership/member-table.ts'
import type { Clock } from '../runtime/clock.ts'
import type { HealthSummary, MemberState, NodeStatus } from '../transport/codec.ts'
import { aggregateVerdicts, observerVerdict } from './aggregate.ts'
import { NO_FLAPS, stepFlaps, type FlapOptions, type FlapState } from './flap-damping.ts'
import type { ReportStore } from './reports.ts'

/**
 * This node's view of every member: its own verdict for the peers it observes, the combined
 * verdict of the observers' reports for the others, and `missing` for registered members never
 * heard from. Every change of a peer's state is recorded in its bounded history and announced
 * through `onChange` (which feeds the events and the alert log).
 */
export interface OwnVerdict {
  state: MemberState
  phi: number
  lastHeardAtMs: number | undefined
  status: NodeStatus | undefined
  /** The summary its latest heartbeat carried. */
  health?: HealthSummary | undefined
  incarnation: number
  failureCount: number
}

export interface HistoryEntry {
  atMs: number
  from: PeerState
  to: PeerState
  reason: string
}

/** Every record's history until its first entry: one shared empty list, not an array per (node, member) pair. */
const NO_HISTORY: HistoryEntry[] = Object.freeze([]) as unknown as HistoryEntry[]

interface Record {
  state: PeerState
  sinceMs: number
  agree: number
  total: number
  history: HistoryEntry[]
  /** Failure episodes counted by this view (suspect transitions), for peers not observed first-hand. */
  failures: number
  flaps: FlapState
}

export interface LocalViewDeps {
  clock: Clock
  selfId: string
  members: MemberTable
  reports: ReportStore
  observersOf(subject: string): readonly string[]
  /** This node's own verdict when it observes `subject`, else undefined. */
  ownVerdict(subject: string): OwnVerdict | undefined
  peerHistoryMax: number
  /** Age after which another observer's suspect report no longer counts (see aggregate.ts). */
  suspectReportTtlMs: number
  /** Flap damping (flap-damping.ts); absent: off. */
  flap?: FlapOptions
  onChange(event: PeerEvent): void
}

export class LocalView {
  private readonly records = new Map<string, Record>()
  private readonly missing = new Map<string, { name: string; sinceMs: number }>()
  /** Members whose recovery flap damping holds (see releaseDue). */
  private readonly held = new Set<string>()
  private readonly deps: LocalViewDeps
  /** Bumped by every state change and removal (keys caches of what the view says, e.g. the digest checksum). */
  version = 0
  /** Members shown dead now (reconnects look here before scanning the table). */
  private readonly dead = new Set<string>()

  constructor(deps: LocalViewDeps) {
    this.deps = deps
  }

  /** The members shown dead now. */
  deadIds(): ReadonlySet<string> {
    return this.dead
  }

  stateOf(id: string): PeerState | undefined {
    return this.records.get(id)?.state ?? (this.missing.has(id) ? 'missing' : undefined)
  }

  /** Recomputes one member's state; records and announces a change. */
  refresh(id: string, reason?: string): void {
    const member = this.deps.members.get(id)
    if (member === undefined) return
    const now = this.deps.clock.now()
    const observers = this.deps.observersOf(id)
    const own = this.deps.ownVerdict(id)
    const reports = this.deps.reports.of(id)
    const facts = { incarnation: member.incarnation, left: member.left, presumed: member.hearsay, reports, nowMs: now, suspectReportTtlMs: this.deps.suspectReportTtlMs }
    let next: { state: PeerState; agree: number; total: number }
    if (own !== undefined) {
      // First-hand: this node's verdict, and how many of the other observers' reports match it.
      const state: PeerState = member.left ? 'left' : own.state
      const others = observers.filter((o) => o !== this.deps.selfId)
      next = { state, agree: 1 + countMatching(state, others, facts), total: others.length + 1 }
    } else {
      next = aggregateVerdicts({ ...facts, observers })
    }
    const record = this.records.get(id)
    if (record === undefined) {
      // A member entering the view comes "from missing": never seen before, or registered and
      // now identified. As alive this is announced as peer:joined.
      this.missing.delete(id)
      const created: Record = { state: next.state, sinceMs: now, agree: next.agree, total: next.total, history: NO_HISTORY, failures: 0, flaps: NO_FLAPS }
      this.records.set(id, created)
      if (created.state === 'dead') this.dead.add(id)
      this.announce(created, member, { atMs: now, from: 'missing', to: next.state, reason: 'learned of the member' }, own !== undefined)
      return
    }
    record.agree = next.agree
    record.total = next.total
    let show = next.state
    let because: string | undefined
    if (this.deps.flap !== undefined) {
      const wavering = own !== undefined && own.phi >= this.deps.flap.steadyPhiMax
      const damped = stepFlaps(record.flaps, { shown: record.state, verdict: next.state, wavering, nowMs: now }, this.deps.flap)
      record.flaps = damped.state
      show = damped.show
      if (damped.reason !== undefined) because = damped.reason
      if (record.flaps.holding) this.held.add(id)
      else this.held.delete(id)
    }
    if (record.state === show) return
    const from = record.state
    record.state = show
    if (show === 'dead') this.dead.add(id)
    else this.dead.delete(id)
    record.sinceMs = now
    if (show === 'suspect') record.failures++
    // Built only for a change (refresh runs for every member on every ring change).
    because ??= reason ?? (own !== undefined ? 'own detector' : `${next.agree} of ${next.total} observers report ${next.state}`)
    this.announce(record, member, { atMs: now, from, to: show, reason: because }, own !== undefined)
  }

  /**
   * Members whose recovery flap damping holds: looked at again (called every maintenance tick),
   * so a late heartbeat restarts their steady period and a steady one is released when due.
   */
  releaseDue(): void {
    if (this.deps.flap === undefined) return
    for (const id of [...this.held]) {
      const record = this.records.get(id)
      if (record === undefined || !record.flaps.holding) this.held.delete(id)
      else this.refresh(id)
    }
  }

  private announce(record: Record, member: { id: string; name: string; incarnation: number }, entry: HistoryEntry, observedBySelf: boolean): void {
    this.version++
    // The first entry gets an array of its own size: `[]` and a push reserve 17 slots, ~140
    // bytes per (node, member) pair that most members (one transition, at join) never use.
    // peerHistoryMax 0 keeps none (the simulator's nodes: nobody reads a simulated peer's history).
    const max = this.deps.peerHistoryMax
    if (max > 0) {
      if (record.history.length === 0) record.history = [entry]
      else record.history.push(entry)
      if (record.history.length > max) record.history.splice(0, record.history.length - max)
    }
    this.deps.onChange({ peer: member.id, name: member.name, from: entry.from, to: entry.to, incarnation: member.incarnation, reason: entry.reason, observedBySelf, atMs: entry.atMs })
  }

  remove(id: string): void {
    this.held.delete(id)
    if (!this.records.delete(id)) return
    this.dead.delete(id)
    this.version++
  }

  /** A registered member (by address) not heard from: shown as missing until it is identified. */
  setMissing(key: string, name: string): void {
    if (this.missing.has(key)) return
    const now = this.deps.clock.now()
    this.missing.set(key, { name, sinceMs: now })
    this.deps.onChange({ peer: key, name, from: 'missing', to: 'missing', incarnation: 0, reason: 'registered member never answered', observedBySelf: true, atMs: now })
  }

  clearMissing(key: string): void {
    this.missing.delete(key)
  }

  history(id: string): readonly HistoryEntry[] {
    return this.records.get(id)?.history ?? []
  }

  /** The per-peer part of GET /v1/view. */
  peers(): PeerView[] {
    const now = this.deps.clock.now()
    const out: PeerView[] = []
    for (const [id, record] of this.records) {
      const member = this.deps.members.get(id)
      if (member === undefined) continue
      const own = this.deps.ownVerdict(id)
      out.push({
        id,
        name: member.name,
        state: record.state,
        phi: own !== undefined ? round(own.phi, 2) : null,
        lastHeardMs: own?.lastHeardAtMs !== undefined ? Math.max(0, Math.round(now - own.lastHeardAtMs)) : null,
        observers: { agree: record.agree, total: record.total },
        // A dead or departed member's last reported health is history, not its status.
        status: record.state === 'dead' || record.state === 'left' ? 'unknown' : own?.status ?? this.reportedStatus(id) ?? 'unknown',
        incarnation: member.incarnation,
        observedBySelf: own !== undefined,
        failureCount: own !== undefined ? own.failureCount : record.failures,
        since: new Date(record.sinceMs).toISOString(),
        addrs: member.addrs,
        summary: own?.health === undefined ? null : peerSummary(own.health)
      })
    }
    for (const [key, m] of this.missing) {
      if (this.records.has(key)) continue
      out.push({
        id: key, name: m.name, state: 'missing', phi: null, lastHeardMs: null, observers: { agree: 0, total: 0 },
        status: 'unknown', incarnation: 0, observedBySelf: true, failureCount: 0, since: new Date(m.sinceMs).toISOString(), addrs: [key], summary: null
      })
    }
    return out
  }

  private reportedStatus(id: string): NodeStatus | undefined {
    let best: { atMs: number; status: NodeStatus } | undefined
    for (const r of this.deps.reports.of(id).values()) {
      if (best === undefined || r.atMs > best.atMs) best = { atMs: r.atMs, status: r.subjectStatus }
    }
    return best?.status
  }

}

function countMatching(
  state: PeerState,
  observers: readonly string[],
  facts: { incarnation: number; presumed: MemberState; reports: ReturnType<ReportStore['of']>; nowMs: number; suspectReportTtlMs: number }
): number {
  let n = 0
  for (const o of observers) {
    const v = observerVerdict(facts.reports.get(o), facts)
    if (v === state || (state === 'suspect' && v === 'dead')) n++
  }
  return n
}

/** A heartbeat's health summary as a view row shows it. */
export function peerSummary(h: HealthSummary): PeerSummary {
  const r = h.resources
  return {
    cpuPercent: r?.cpuPercent ?? null,
    memoryPercent: r?.memoryPercent ?? null,
    diskPercent: r?.diskPercent ?? null,
    loadPerCore: r?.loadPerCore ?? null,
    checksFailing: h.checksFailing,
    failingChecks: h.failingChecks ?? []
  }
}

function round(value: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(value * f) / f
}
