import * as vega from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'
import type { SweepResult } from './sweep.ts'

/**
 * The sweep's trade-off curve, rendered headless with vega-lite like the run's picture
 * (plot.ts): detection time T_D (p50, and p99 dashed) on x against the mistake rate lambda_M
 * (mistakes per eligible pair-hour) on y, one point per value in the swept order, each labelled
 * with its value; the default value is drawn larger, in red. The y scale is symlog so that a
 * rate of 0 (no mistake at all) stays on the chart while rare mistakes remain readable. Below,
 * the mistake rate against the value itself, which a scenario without crashes (no T_D) still has.
 */
export function buildSweepSpec(r: SweepResult): TopLevelSpec {
  const rows = r.points.flatMap((p, order) => [
    { order, value: p.value, isDefault: p.isDefault, stat: 'T_D p50', detectionMs: p.detectionP50Ms, rate: p.mistakesPerPairHour, label: `${p.value}${p.isDefault ? ' (default)' : ''}` },
    { order, value: p.value, isDefault: p.isDefault, stat: 'T_D p99', detectionMs: p.detectionP99Ms, rate: p.mistakesPerPairHour, label: '' }
  ]).filter((x) => x.detectionMs !== null)
  const inList = r.points.some((p) => p.isDefault)
  const drawn = rows.length > 0
  const perValue = r.points.map((p) => ({ value: p.value, isDefault: p.isDefault, rate: p.mistakesPerPairHour, inaccuracy: p.queryInaccuracy }))
  const marked = { condition: { test: 'datum.isDefault', value: '#d32f2f' }, value: '#1e88e5' }
  const sized = { condition: { test: 'datum.isDefault', value: 180 }, value: 50 }
  const symlogRate = { field: 'rate', type: 'quantitative', title: 'mistakes per pair-hour (lambda_M, symlog)', scale: { type: 'symlog' } } as const
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${r.scenario}: detection time against mistake rate, sweeping ${r.param}`,
      subtitle: `${r.nodes} nodes, seed ${r.seed}, ${r.durationMs / 1000} s per run; default ${r.param} = ${r.defaultValue}${inList ? ' (red)' : ' (not swept)'}`
    },
    config: { font: 'sans-serif' },
    vconcat: [
      {
        title: drawn ? 'Trade-off: T_D (p50 solid, p99 dashed) against lambda_M, one point per value' : 'Trade-off: no crash in this scenario, so no detection time to draw (see below)',
        width: 700,
        height: 380,
        data: { values: rows },
        layer: [
          {
            mark: { type: 'line' },
            encoding: {
              x: { field: 'detectionMs', type: 'quantitative', title: 'detection time T_D (ms from crash to permanent suspicion)' },
              y: symlogRate,
              order: { field: 'order' },
              strokeDash: { field: 'stat', type: 'nominal', title: null, scale: { domain: ['T_D p50', 'T_D p99'], range: [[1, 0], [4, 3]] } },
              color: { value: '#555555' }
            }
          },
          { mark: { type: 'point', filled: true }, encoding: { x: { field: 'detectionMs', type: 'quantitative' }, y: symlogRate, size: sized, color: marked } },
          { mark: { type: 'text', dx: 8, dy: -8, align: 'left' }, encoding: { x: { field: 'detectionMs', type: 'quantitative' }, y: symlogRate, text: { field: 'label' } } }
        ]
      },
      {
        title: `Mistake rate against ${r.param}`,
        width: 700,
        height: 200,
        data: { values: perValue },
        layer: [
          { mark: { type: 'line', color: '#555555' }, encoding: { x: { field: 'value', type: 'quantitative', title: r.param }, y: symlogRate } },
          { mark: { type: 'point', filled: true }, encoding: { x: { field: 'value', type: 'quantitative' }, y: symlogRate, size: sized, color: marked } }
        ]
      }
    ]
  }
}

export async function renderSweepSvg(r: SweepResult): Promise<string> {
  const view = new vega.View(vega.parse(compile(buildSweepSpec(r)).spec), { renderer: 'none' })
  const svg = await view.toSVG()
  view.finalize()
  return svg
}
