/** GET /v1/health's report names the node's own reasons (checks, resources), beyond awareness. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assessHealth, healthLine } from '../../src/api/health.ts'
import { VIEW } from './fixtures.ts'

test('an unhealthy node: the report is 503-worthy and its summary names the check and the disk', () => {
  const reasons = ['check web critical', 'local health awareness: this node is degraded (its own timers run late)', 'disk /: 8 % space free (warning below 10 %)']
  const view = { ...VIEW, peers: [], self: { ...VIEW.self, status: 'unhealthy' as const, awareness: 1, reasons } }
  const report = assessHealth(view, { max: 8, unhealthyAt: 4 })
  assert.equal(report.status, 'unhealthy')
  assert.deepEqual(report.node.reasons, reasons)
  assert.equal(healthLine(report), 'unhealthy: this node is unhealthy (awareness 1, unhealthy at 4): check web critical, disk /: 8 % space free (warning below 10 %); no peers known')
})
