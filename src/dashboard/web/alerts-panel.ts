/** Firing, pending and flapping alerts first, then the recently resolved, each with its silences. */
import { html } from 'htm/preact'
import { ago } from './format.ts'
import type { AlertItem } from './model.ts'

const ACTIVE = new Set(['firing', 'pending', 'flapping'])
const RESOLVED_SHOWN_MAX = 20

export function AlertsPanel({ alerts, nowMs, error }: { alerts: AlertItem[]; nowMs: number; error: string }) {
  const active = alerts.filter((a) => ACTIVE.has(a.state))
  const resolved = alerts.filter((a) => !ACTIVE.has(a.state)).slice(0, RESOLVED_SHOWN_MAX)
  return html`
    <section class="panel alerts">
      <header><h2>Alerts <span class="muted">${active.length} active</span></h2></header>
      ${error !== '' ? html`<p class="error">${error}</p>` : null}
      ${active.length === 0 && error === '' ? html`<p class="empty">No alert is firing or pending.</p>` : null}
      ${active.length > 0 ? html`<ul>${active.map((a) => html`<${AlertLine} key=${a.key} alert=${a} nowMs=${nowMs} />`)}</ul>` : null}
      ${resolved.length > 0 ? html`<details><summary>${resolved.length} resolved</summary><ul>${resolved.map((a) => html`<${AlertLine} key=${a.key} alert=${a} nowMs=${nowMs} />`)}</ul></details>` : null}
    </section>`
}

function AlertLine({ alert: a, nowMs }: { alert: AlertItem; nowMs: number }) {
  const silenced = a.silencedBy.length > 0
  return html`
    <li class="alert alert-${a.state || 'unknown'} sev-${a.severity || 'info'}" data-alert=${a.alertname}>
      <span class="badge sev-${a.severity || 'info'}">${a.severity}</span>
      <strong>${a.alertname}</strong> <span class="muted">${a.state}</span>
      <span class="subject">${a.subjectName}</span>
      <span class="muted">${ago(a.startsAtMs, nowMs)}</span>
      ${silenced ? html`<span class="chip silenced" title=${a.silencedBy.join(', ')}>silenced (${a.silencedBy.length})</span>` : null}
      ${a.inhibited ? html`<span class="chip silenced">inhibited</span>` : null}
      ${a.summary !== '' ? html`<div class="summary">${a.summary}</div>` : null}
    </li>`
}
