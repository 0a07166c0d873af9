/**
 * Every member in one virtualised table: only the rows in view (plus a margin) are in the DOM,
 * so 1,000 members cost the same as 30. Sorted worst first (dead, suspect, missing), then by
 * name; the filter box matches name, id, state or health status.
 */
import { html } from 'htm/preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { ago, fixed, pct } from './format.ts'
import { matches, type AlertItem, type Member, type MemberState } from './model.ts'

export const ROW_PX = 30
const OVERSCAN_ROWS = 8

const RANK: Record<MemberState, number> = { dead: 0, suspect: 1, missing: 2, unknown: 3, left: 4, alive: 5, self: 6 }

function byConcern(a: Member, b: Member): number {
  return RANK[a.state] - RANK[b.state] || a.name.localeCompare(b.name) || a.id.localeCompare(b.id)
}

interface Props {
  members: Member[]
  /** Firing (or pending) alerts by the member they are about. */
  alertsByMember: Map<string, AlertItem[]>
  nowMs: number
}

export function MemberList({ members, alertsByMember, nowMs }: Props) {
  const [filter, setFilter] = useState('')
  const [scrollTop, setScrollTop] = useState(0)
  const [viewportPx, setViewportPx] = useState(600)
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    const el = box.current
    if (el === null) return
    const observer = new ResizeObserver(() => setViewportPx(el.clientHeight))
    observer.observe(el)
    return () => observer.disconnect()
  }, [])
  const shown = useMemo(() => members.filter((m) => matches(m, filter.trim())).sort(byConcern), [members, filter])
  const first = Math.max(0, Math.floor(scrollTop / ROW_PX) - OVERSCAN_ROWS)
  const last = Math.min(shown.length, Math.ceil((scrollTop + viewportPx) / ROW_PX) + OVERSCAN_ROWS)
  const counts = countStates(members)
  return html`
    <section class="panel members" role="table" aria-label="members" aria-rowcount=${shown.length}>
      <header>
        <h2>Members <span class="muted">${members.length}</span></h2>
        <span class="counts">${Object.entries(counts).map(([state, n]) => html`<span class="chip state-${state}">${n} ${state}</span>`)}</span>
        <input class="filter" type="search" placeholder="filter: name, id, state, status" aria-label="filter members"
          value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} />
      </header>
      <div class="thead row" role="row">
        <span class="c-name">member</span><span class="c-state">state</span><span class="c-phi">phi</span>
        <span class="c-obs">observers</span><span class="c-status">health</span><span class="c-res">cpu · mem · disk · load</span><span class="c-since">since</span>
      </div>
      <div class="viewport" ref=${box} onScroll=${(e: Event) => setScrollTop((e.target as HTMLElement).scrollTop)}>
        <div class="spacer" style=${{ height: `${shown.length * ROW_PX}px` }}>
          ${shown.slice(first, last).map((m, i) => html`<${MemberRow} key=${m.id} member=${m} top=${(first + i) * ROW_PX} alerts=${alertsByMember.get(m.id) ?? []} nowMs=${nowMs} />`)}
        </div>
        ${shown.length === 0 ? html`<p class="empty">${members.length === 0 ? 'No members known yet.' : 'No member matches the filter.'}</p>` : null}
      </div>
    </section>`
}

function countStates(members: Member[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const m of members) counts[m.state] = (counts[m.state] ?? 0) + 1
  return counts
}

function MemberRow({ member: m, top, alerts, nowMs }: { member: Member; top: number; alerts: AlertItem[]; nowMs: number }) {
  const s = m.summary
  const resources = s === null ? '' : [pct(s.cpuPercent), pct(s.memoryPercent), pct(s.diskPercent), fixed(s.loadPerCore, 2)].map((x) => x || '–').join(' · ')
  return html`
    <div class="row member state-${m.state}" role="row" style=${{ top: `${top}px` }} data-member=${m.name} data-state=${m.state}>
      <span class="c-name" title=${m.id}>${m.name}${m.isSelf ? html` <span class="muted">(this node)</span>` : null}
        ${alerts.map((a) => html` <span class="badge sev-${a.severity || 'info'}" title=${a.summary}>${a.alertname}</span>`)}</span>
      <span class="c-state"><span class="dot"></span>${m.isSelf ? 'self' : m.state}</span>
      <span class="c-phi">${fixed(m.phi, 1)}</span>
      <span class="c-obs">${m.agree === null ? '' : `${m.agree}/${m.total ?? '?'}`}</span>
      <span class="c-status status-${m.status}">${m.status}</span>
      <span class="c-res">${resources}</span>
      <span class="c-since">${ago(m.sinceMs, nowMs)}</span>
    </div>`
}
