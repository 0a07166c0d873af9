/**
 * The collectors on this machine's real /proc and file systems, and on a copy of /proc without
 * PSI (absent means not reported, never an error); NodeHealth sampling on virtual time.
 */
import assert from 'node:assert/strict'
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { defaultConfig } from '../../src/config/profiles.ts'
import { ResourceCollectors } from '../../src/health/collectors.ts'
import { NodeHealth } from '../../src/health/node-health.ts'
import { figuresOf, samplesOf } from '../../src/health/resource-reading.ts'
import { checkSample, SampleValidator } from '../../src/health/validate.ts'
import type { CheckReport, Sample } from '../../src/health/types.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'

const dir = mkdtempSync(join(tmpdir(), 'hm-collect-'))
after(() => rmSync(dir, { recursive: true, force: true }))

describe('resource collectors on the real /proc', () => {
  test('a reading has every figure in range, and every sample passes validation', () => {
    const c = new ResourceCollectors({ paths: [dir, '/'] })
    // Burn 50 ms of CPU (bounded) so /proc/stat's 10 ms ticks move between construction and the read.
    const until = performance.now() + 50
    while (performance.now() < until) Math.sqrt(until)
    const r = c.read(1_800_000_000_000)
    assert.ok(r.cpus >= 1)
    assert.ok(r.cpuPercentByMode !== undefined, 'the first reading already has a utilisation (primed at construction)')
    assert.ok(r.load !== undefined && r.memory !== undefined && r.memory.totalBytes > 0)
    assert.ok(r.disks.length >= 1 && r.disks.every((d) => d.sizeBytes > 0 && d.availBytes <= d.sizeBytes))
    assert.ok(r.disks.some((d) => d.mountpoint === '/'))
    assert.ok(r.openFds !== undefined && r.openFds > 0)
    const f = figuresOf(r)
    for (const v of [f.cpuPercent, f.memoryPercent, f.disk?.usedPercent]) assert.ok(v !== undefined && v >= 0 && v <= 100, String(v))
    const samples = samplesOf(r)
    assert.ok(samples.length > 20)
    for (const s of samples) assert.equal(checkSample(s, r.atMs), undefined, `${s.name} ${JSON.stringify(s.labels)} = ${s.value}`)
    assert.equal(samples.filter((s) => s.name === 'node_cpu_seconds_total').length, 8, 'one series per CPU mode')
    assert.deepEqual(Object.values(c.errors).filter((n) => n > 0), [])
  })

  test('two paths on one file system are reported once, under its mount point', () => {
    const c = new ResourceCollectors({ paths: [dir, join(dir, '..'), '/'] })
    assert.equal(new Set(c.mountpoints).size, c.mountpoints.length)
  })

  test('a /proc without pressure files reports no PSI and counts no error; a missing path is counted, not thrown', () => {
    const proc = join(dir, 'proc')
    mkdirSync(join(proc, 'self'), { recursive: true })
    mkdirSync(join(proc, 'sys', 'fs'), { recursive: true })
    for (const f of ['stat', 'loadavg', 'meminfo']) cpSync(`/proc/${f}`, join(proc, f))
    cpSync('/proc/self/mountinfo', join(proc, 'self', 'mountinfo'))
    symlinkSync('/proc/self/fd', join(proc, 'self', 'fd'))
    const c = new ResourceCollectors({ paths: [join(dir, 'does-not-exist')], procRoot: proc })
    const r = c.read(1_800_000_000_000)
    assert.deepEqual(r.pressure, {})
    assert.equal(r.fileHandles, undefined)
    assert.ok(!samplesOf(r).some((s) => s.name.startsWith('node_pressure_')))
    assert.equal(c.errors.pressure, 0)
    assert.equal(c.errors.filefd, 0)
    assert.equal(c.errors.filesystem, 1, 'statfs of a missing path')
    assert.deepEqual(r.disks, [])
  })
})

describe('NodeHealth on virtual time', () => {
  test('samples at start and every interval; validated samples reach the sink; the report combines checks and awareness', () => {
    const clock = new VirtualClock()
    const received: Sample[][] = []
    let checks: CheckReport[] = []
    const validator = new SampleValidator()
    const health = new NodeHealth({
      clock, collectors: new ResourceCollectors({ paths: ['/'] }), validator, thresholds: defaultConfig(), sampleIntervalMs: 10_000,
      checks: () => checks, onSamples: (s) => received.push([...s])
    })
    assert.equal(health.report('healthy').resources, null, 'nothing before the first reading')
    health.start()
    assert.equal(received.length, 1)
    clock.advance(25_000)
    assert.equal(received.length, 3)
    assert.ok(received.every((batch) => batch.every((s) => s.atMs <= clock.now())))
    assert.equal(validator.accepted, received.flat().length)

    const calm = health.report('healthy')
    assert.ok(calm.resources !== null && calm.resources.cpus >= 1)
    assert.ok(calm.summary.resources !== undefined)
    checks = [{ id: 'web', status: 'critical', flapping: false, output: 'connection refused', lastRunAtMs: clock.now(), sinceMs: clock.now() }]
    const failing = health.report('degraded')
    assert.equal(failing.summary.status, 'unhealthy')
    assert.deepEqual(failing.summary.failingChecks, ['web'])
    assert.equal(failing.summary.checksFailing, 1)
    assert.match(failing.reasons.join('; '), /check web critical.*awareness/)
    health.stop()
    clock.advance(60_000)
    assert.equal(received.length, 3, 'no sampling after stop')
    assert.ok(health.cost.samples === 3 && health.cost.maxMs >= 0)
  })
})
