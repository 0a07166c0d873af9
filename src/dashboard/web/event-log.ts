/**
 * The recent event log (newest first) and a timeline of state changes: one lane per member that
 * changed state in the window, coloured by the state it was in, so a flapping or dying member
 * shows as a pattern rather than a list.
 */
import { html } from 'htm/preact'
import { clockTime } from './format.ts'
import type { FeedItem } from './model.ts'
import { lanes, timelineWindowMs } from './timeline.ts'

export const EVENTS_SHOWN_MAX = 100

/** `names` gives a member's name by id: alert events carry only the peer's id. */
export function EventLog({ events, names }: { events: FeedItem[]; names: ReadonlyMap<string, string> }) {
  const recent = events.slice(-EVENTS_SHOWN_MAX).reverse()
  return html`
    <section class="panel events">
      <header><h2>Events <span class="muted">${events.length}</span></h2></header>
      ${recent.length === 0 ? html`<p class="empty">No events yet.</p>` : null}
      <ol class="log">${recent.map((e) => html`
        <li key=${e.id} class="ev to-${e.to || 'none'}" data-event=${`${e.id}@${e.atMs ?? ''}`}>
          <time>${clockTime(e.atMs)}</time> <span class="ev-type">${e.type}</span> <strong>${e.name || names.get(e.peerId) || e.peerId.slice(0, 12)}</strong>
          ${e.from !== '' ? html` <span class="muted">${e.from} → ${e.to}</span>` : null}
          <span class="ev-text">${e.text}</span>
        </li>`)}</ol>
    </section>`
}

export function Timeline({ events, nowMs }: { events: FeedItem[]; nowMs: number }) {
  const windowMs = timelineWindowMs(events, nowMs)
  const rows = lanes(events, nowMs, windowMs)
  const startMs = nowMs - windowMs
  const x = (ms: number): number => ((ms - startMs) / windowMs) * 100
  return html`
    <section class="panel timeline">
      <header><h2>State changes <span class="muted">last ${Math.round(windowMs / 60_000)} min</span></h2></header>
      ${rows.length === 0 ? html`<p class="empty">No state change in this window.</p>` : null}
      ${rows.map((r) => html`
        <div class="lane" key=${r.name}>
          <span class="lane-name">${r.name}</span>
          <svg class="lane-bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label=${`${r.name}: ${r.segments.map((s) => s.state).join(', ')}`}>
            ${r.segments.map((s) => html`<rect class="seg state-${s.state}" x=${x(s.from)} width=${Math.max(0.3, x(s.to) - x(s.from))} y="0" height="10"><title>${s.state} from ${clockTime(s.from)}</title></rect>`)}
          </svg>
        </div>`)}
    </section>`
}
