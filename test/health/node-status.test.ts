/** Node status from checks, resource thresholds and awareness: the worst wins, with reasons. */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { nodeStatus, type NodeStatusInput } from '../../src/health/node-status.ts'
import type { ResourceFigures } from '../../src/health/resource-reading.ts'
import type { CheckReport } from '../../src/health/types.ts'
import { defaultConfig } from '../../src/config/profiles.ts'

const thresholds = defaultConfig()
const calm: ResourceFigures = { cpuPercent: 20, memoryPercent: 50, swapPercent: undefined, loadPerCore: 0.5, disk: { mountpoint: '/', usedPercent: 40, inodesUsedPercent: 5 } }
const check = (id: string, status: CheckReport['status'], flapping = false): CheckReport => ({ id, status, flapping, output: '', lastRunAtMs: 0, sinceMs: 0 })
const input = (over: Partial<NodeStatusInput>): NodeStatusInput => ({ awareness: 'healthy', checks: [], resources: calm, thresholds, ...over })

describe('nodeStatus', () => {
  const table: [string, Partial<NodeStatusInput>, string, RegExp[]][] = [
    ['all calm', {}, 'healthy', []],
    ['no reading yet', { resources: undefined }, 'healthy', []],
    ['a warning check', { checks: [check('web', 'warning'), check('db', 'passing')] }, 'degraded', [/check web warning/]],
    ['an unknown check', { checks: [check('plugin', 'unknown')] }, 'degraded', [/check plugin unknown/]],
    ['a flapping check that passes now', { checks: [check('net', 'passing', true)] }, 'degraded', [/flapping/]],
    ['a critical check wins over a warning', { checks: [check('a', 'warning'), check('b', 'critical')] }, 'unhealthy', [/check b critical/, /check a warning/]],
    ['disk below 10 % free', { resources: { ...calm, disk: { mountpoint: '/data', usedPercent: 92, inodesUsedPercent: 1 } } }, 'degraded', [/disk \/data: 8 % space free/]],
    ['disk below 5 % free', { resources: { ...calm, disk: { mountpoint: '/', usedPercent: 96, inodesUsedPercent: 1 } } }, 'unhealthy', [/4 % space free \(critical below 5 %\)/]],
    ['inodes running out', { resources: { ...calm, disk: { mountpoint: '/', usedPercent: 10, inodesUsedPercent: 93 } } }, 'degraded', [/7 % inodes free/]],
    ['memory above 90 %', { resources: { ...calm, memoryPercent: 91.5 } }, 'degraded', [/memory 91.5 % used/]],
    ['memory above 97 %', { resources: { ...calm, memoryPercent: 98 } }, 'unhealthy', [/memory 98 % used \(critical/]],
    ['load above 2 per core', { resources: { ...calm, loadPerCore: 2.5 } }, 'degraded', [/load 2.5 per core/]],
    ['load above 4 per core', { resources: { ...calm, loadPerCore: 4.2 } }, 'unhealthy', [/load 4.2 per core \(critical/]],
    ['awareness degraded alone', { awareness: 'degraded' }, 'degraded', [/local health awareness/]],
    ['awareness unhealthy beats a warning check', { awareness: 'unhealthy', checks: [check('a', 'warning')] }, 'unhealthy', [/awareness/, /check a/]]
  ]
  for (const [what, over, status, reasons] of table) {
    test(`${what}: ${status}`, () => {
      const r = nodeStatus(input(over))
      assert.equal(r.status, status)
      assert.equal(r.reasons.length, reasons.length, r.reasons.join('; '))
      reasons.forEach((re, i) => assert.match(r.reasons[i]!, re))
    })
  }

  test('failing checks are named critical first, then by id; passing ones are not', () => {
    const r = nodeStatus(input({ checks: [check('z', 'warning'), check('ok', 'passing'), check('b', 'critical'), check('a', 'warning')] }))
    assert.deepEqual(r.failingChecks, ['b', 'a', 'z'])
  })
})
