/** A small SVG line of a metric's history: enough to see a trend, no axes. */
import { html } from 'htm/preact'

export function Sparkline({ points, label, value }: { points: [number, number][]; label: string; value: string }) {
  let path = ''
  if (points.length >= 2) {
    const t0 = points[0]![0]
    const t1 = points[points.length - 1]![0]
    const values = points.map((p) => p[1])
    const lo = Math.min(...values)
    const hi = Math.max(...values)
    const span = hi - lo || 1
    path = points.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${(((t - t0) / (t1 - t0 || 1)) * 100).toFixed(2)},${(28 - ((v - lo) / span) * 26).toFixed(2)}`).join(' ')
  }
  return html`
    <figure class="spark">
      <figcaption>${label} <strong>${value}</strong></figcaption>
      <svg viewBox="0 0 100 30" preserveAspectRatio="none" role="img" aria-label=${`${label} history`}>
        ${path !== '' ? html`<path d=${path} />` : html`<text x="50" y="18" text-anchor="middle">no history yet</text>`}
      </svg>
    </figure>`
}
