/** The page: this node and the cluster's health at the top, then members, alerts, timeline and events. */
import { html } from 'htm/preact'
import { useMemo, useState } from 'preact/hooks'
import { AlertsPanel } from './alerts-panel.ts'
import { saveToken } from './client.ts'
import { EventLog, Timeline } from './event-log.ts'
import { pct } from './format.ts'
import { SPARKLINES, useLiveState } from './live.ts'
import { MemberList } from './members.ts'
import type { AlertItem, Member } from './model.ts'
import { Sparkline } from './sparkline.ts'

const ACTIVE = new Set(['firing', 'pending', 'flapping'])

export function App() {
  const live = useLiveState()
  const { view } = live
  const members: Member[] = useMemo(() => (view === null ? [] : view.self === null ? view.members : [view.self, ...view.members]), [view])
  const alertsByMember = useMemo(() => {
    const map = new Map<string, AlertItem[]>()
    for (const a of live.alerts) {
      if (!ACTIVE.has(a.state)) continue
      const id = a.subjectId ?? view?.self?.id ?? ''
      map.set(id, [...(map.get(id) ?? []), a])
    }
    return map
  }, [live.alerts, view])
  const names = useMemo(() => new Map(members.map((m) => [m.id, m.name])), [members])
  if (live.needsToken) return html`<${TokenForm} />`
  const self = view?.self ?? null
  const r = view?.resources ?? null
  return html`
    <header class="top">
      <h1>healthmon <span class="muted">${view?.cluster ?? ''}</span></h1>
      ${self !== null ? html`<span class="self">${self.name}: <span class="status-${self.status}">${self.status}</span></span>` : null}
      <span class=${`conn ${live.streaming ? 'on' : 'off'}`}>${live.streaming ? 'live' : 'connecting…'}</span>
      ${live.viewError !== '' ? html`<span class="error">${live.viewError}</span>` : null}
    </header>
    <main>
      <section class="panel node">
        <header><h2>This node</h2>${r !== null && r.reasons.length > 0 ? html`<span class="reasons">${r.reasons.join('; ')}</span>` : null}</header>
        <div class="figures">
          <span>cpu <strong>${pct(r?.cpuPercent)}</strong></span><span>memory <strong>${pct(r?.memoryPercent)}</strong></span>
          <span>disk <strong>${pct(r?.diskPercent)}</strong></span><span>load <strong>${r?.load1?.toFixed(2) ?? ''}</strong></span>
        </div>
        <div class="sparks">${SPARKLINES.map((s) => {
          const points = live.history[s.metric] ?? []
          const lastPoint = points[points.length - 1]
          return html`<${Sparkline} key=${s.metric} points=${points} label=${s.label} value=${lastPoint === undefined ? '' : s.format(lastPoint[1])} />`
        })}</div>
        ${live.historyNote !== '' ? html`<p class="empty history-note">${live.historyNote}</p>` : null}
      </section>
      <${MemberList} members=${members} alertsByMember=${alertsByMember} nowMs=${live.nowMs} />
      <${AlertsPanel} alerts=${live.alerts} nowMs=${live.nowMs} error=${live.alertsError} />
      <${Timeline} events=${live.events} nowMs=${live.nowMs} />
      <${EventLog} events=${live.events} names=${names} />
    </main>`
}

function TokenForm() {
  const [token, setToken] = useState('')
  return html`
    <form class="token panel" onSubmit=${(e: Event) => { e.preventDefault(); saveToken(token.trim()); location.reload() }}>
      <h1>healthmon</h1>
      <p>This agent's HTTP listener needs its bearer token (the first line of the agent's <code>httpTokenFile</code>). It is kept in this tab only.</p>
      <input type="password" autocomplete="off" aria-label="token" value=${token} onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)} />
      <button type="submit">Open the dashboard</button>
    </form>`
}
