/** A small SVG line of a metric's history: enough to see a trend, no axes. */
import { html } from 'htm/preact'

/** The SVG path over a 100 x 30 box; one point draws a flat line, none draws nothing. */
export function sparkPath(points: readonly [number, number][]): string {
  if (points.length === 0) return ''
  if (points.length === 1) return 'M0,15 L100,15'
  const t0 = points[0]![0]
  const t1 = points[points.length - 1]![0]
  const values = points.map((p) => p[1])
  const lo = Math.min(...values)
  const span = Math.max(...values) - lo || 1
  return points.map(([t, v], i) => `${i === 0 ? 'M' : 'L'}${(((t - t0) / (t1 - t0 || 1)) * 100).toFixed(2)},${(28 - ((v - lo) / span) * 26).toFixed(2)}`).join(' ')
}

export function Sparkline({ points, label, value }: { points: [number, number][]; label: string; value: string }) {
  const path = sparkPath(points)
  return html`
    <figure class="spark">
      <figcaption>${label} <strong>${value}</strong></figcaption>
      ${path === ''
        ? html`<div class="spark-empty">no history yet</div>`
        : html`<svg viewBox="0 0 100 30" preserveAspectRatio="none" role="img" aria-label=${`${label} history`}><path d=${path} /></svg>`}
    </figure>`
}
