/**
 * The recent event log (newest first) and a timeline of state changes: one lane per member that
 * changed state in the window, coloured by the state it was in, so a flapping or dying member
 * shows as a pattern rather than a list.
 */
import { html } from 'htm/preact'
import { clockTime } from './format.ts'
import type { FeedItem } from './model.ts'

export const EVENTS_SHOWN_MAX = 100
const LANES_MAX = 12
export const TIMELINE_WINDOW_MS = 10 * 60_000

export function EventLog({ events }: { events: FeedItem[] }) {
  const recent = events.slice(-EVENTS_SHOWN_MAX).reverse()
  return html`
    <section class="panel events">
      <header><h2>Events <span class="muted">${events.length}</span></h2></header>
      ${recent.length === 0 ? html`<p class="empty">No events yet.</p>` : null}
      <ol class="log">${recent.map((e) => html`
        <li key=${e.id} class="ev to-${e.to || 'none'}">
          <time>${clockTime(e.atMs)}</time> <span class="ev-type">${e.type}</span> <strong>${e.name || e.peerId.slice(0, 12)}</strong>
          ${e.from !== '' ? html` <span class="muted">${e.from} → ${e.to}</span>` : null}
          <span class="ev-text">${e.text}</span>
        </li>`)}</ol>
    </section>`
}

interface Segment { from: number; to: number; state: string }

/** Per member, the states it was in over [startMs, nowMs], from its state-change events. */
export function lanes(events: FeedItem[], nowMs: number, windowMs = TIMELINE_WINDOW_MS): { name: string; segments: Segment[] }[] {
  const startMs = nowMs - windowMs
  const byPeer = new Map<string, { name: string; changes: FeedItem[] }>()
  for (const e of events) {
    if (e.to === '' || e.atMs === null) continue
    const lane = byPeer.get(e.peerId) ?? { name: e.name || e.peerId.slice(0, 12), changes: [] }
    lane.changes.push(e)
    byPeer.set(e.peerId, lane)
  }
  const out: { name: string; segments: Segment[]; lastMs: number }[] = []
  for (const { name, changes } of byPeer.values()) {
    if (!changes.some((c) => (c.atMs ?? 0) >= startMs)) continue
    const segments: Segment[] = []
    changes.forEach((c, i) => {
      const from = Math.max(startMs, c.atMs!)
      const to = i + 1 < changes.length ? changes[i + 1]!.atMs! : nowMs
      if (to > startMs) segments.push({ from, to: Math.max(from, to), state: c.to })
    })
    out.push({ name, segments, lastMs: changes[changes.length - 1]!.atMs! })
  }
  return out.sort((a, b) => b.lastMs - a.lastMs).slice(0, LANES_MAX)
}

export function Timeline({ events, nowMs }: { events: FeedItem[]; nowMs: number }) {
  const rows = lanes(events, nowMs)
  const startMs = nowMs - TIMELINE_WINDOW_MS
  const x = (ms: number): number => ((ms - startMs) / TIMELINE_WINDOW_MS) * 100
  return html`
    <section class="panel timeline">
      <header><h2>State changes <span class="muted">last 10 min</span></h2></header>
      ${rows.length === 0 ? html`<p class="empty">No state change in the last 10 minutes.</p>` : null}
      ${rows.map((r) => html`
        <div class="lane" key=${r.name}>
          <span class="lane-name">${r.name}</span>
          <svg class="lane-bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label=${`${r.name}: ${r.segments.map((s) => s.state).join(', ')}`}>
            ${r.segments.map((s) => html`<rect class="seg state-${s.state}" x=${x(s.from)} width=${Math.max(0.3, x(s.to) - x(s.from))} y="0" height="10"><title>${s.state} from ${clockTime(s.from)}</title></rect>`)}
          </svg>
        </div>`)}
    </section>`
}
