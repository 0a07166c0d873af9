import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { buildSweepSpec } from '../../src/sim/sweep-plot.ts'
import { parseSweepParam, runSweep, SWEEP_VALUES_MAX } from '../../src/sim/sweep.ts'
import { scenario as crash } from '../../simulations/scenarios/crash.ts'

/**
 * The sweep: its parameter parsing against the config schema, a tiny real sweep (5 simulated
 * nodes, 45 virtual s, two thresholds) whose points must order the way phi-accrual does (a lower
 * threshold suspects sooner), and the command end to end in a child process.
 */
const RUN = fileURLToPath(new URL('../../simulations/run.ts', import.meta.url))

function sim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [RUN, ...args], { timeout: 60_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr })
    })
  })
}

describe('sweep parameters', () => {
  test('a numeric option with values its schema accepts', () => {
    assert.deepEqual(parseSweepParam('phiSuspectThreshold=4, 6,8', crash), { name: 'phiSuspectThreshold', values: [4, 6, 8] })
    assert.deepEqual(parseSweepParam('heartbeatIntervalMs=500,1000', crash).values, [500, 1000])
  })

  test('clear errors for unknown or non-numeric options, bad values, repeats and too many', () => {
    assert.throws(() => parseSweepParam('phiThreshold=4', crash), /"phiThreshold" is not an agent option/)
    assert.throws(() => parseSweepParam('cluster=4', crash), /"cluster" is not a numeric option/)
    assert.throws(() => parseSweepParam('phiSuspectThreshold=0.5', crash), /phiSuspectThreshold=0.5 is not accepted: .*>=1/)
    assert.throws(() => parseSweepParam('heartbeatIntervalMs=999.5', crash), /heartbeatIntervalMs=999.5 is not accepted/)
    assert.throws(() => parseSweepParam('phiSuspectThreshold=4,x', crash), /"x" is not a number/)
    assert.throws(() => parseSweepParam('phiSuspectThreshold=4,4', crash), /4 is listed twice/)
    assert.throws(() => parseSweepParam('phiSuspectThreshold=', crash), /comma-separated list/)
    assert.throws(() => parseSweepParam('phiSuspectThreshold', crash), /NAME=v1,v2/)
    const many = Array.from({ length: SWEEP_VALUES_MAX + 1 }, (_, i) => i + 2).join(',')
    assert.throws(() => parseSweepParam(`phiSuspectThreshold=${many}`, crash), /at most 20/)
  })
})

describe('sweep runs', { timeout: 120_000 }, () => {
  test('one run per value, same seed; a lower phi threshold detects sooner; the default is marked', async () => {
    const r = await runSweep({ scenario: crash, param: parseSweepParam('phiSuspectThreshold=4,8', crash), nodes: 5, seed: 3, durationMs: 45_000 })
    assert.equal(r.defaultValue, 8)
    assert.deepEqual(r.points.map((p) => [p.value, p.isDefault]), [[4, false], [8, true]])
    const [low, def] = r.points as [typeof r.points[0], typeof r.points[0]]
    assert.ok(low.detectionP50Ms !== null && def.detectionP50Ms !== null)
    assert.ok(low.detectionP50Ms < def.detectionP50Ms, `phi 4 suspects sooner (${low.detectionP50Ms} ms) than phi 8 (${def.detectionP50Ms} ms)`)
    assert.notEqual(low.traceHash, def.traceHash)
    const spec = JSON.stringify(buildSweepSpec(r))
    assert.match(spec, /default phiSuspectThreshold = 8 \(red\)/)
    assert.match(spec, /"label":"8 \(default\)"/)
  })

  test('the command prints one line per value and writes the SVG and the JSON; usage errors exit 2', async () => {
    const out = mkdtempSync(join(tmpdir(), 'healthmon-sweep-'))
    try {
      const ok = await sim(['sweep', 'crash', '--param', 'phiSuspectThreshold=6,10', '--nodes', '4', '--seed', '2', '--duration', '40s', '--out', out])
      assert.equal(ok.code, 0, ok.stderr)
      assert.equal(ok.stdout.split('\n').filter((l) => l.startsWith('phiSuspectThreshold=')).length, 2)
      const files = readdirSync(out).sort()
      assert.deepEqual(files, ['sweep-crash-phiSuspectThreshold-4-2.json', 'sweep-crash-phiSuspectThreshold-4-2.svg'])
      const json = JSON.parse(readFileSync(join(out, files[0]!), 'utf8')) as { points: { value: number }[]; defaultValue: number }
      assert.deepEqual(json.points.map((p) => p.value), [6, 10])
      assert.equal(json.defaultValue, 8)
      assert.match(readFileSync(join(out, files[1]!), 'utf8'), /^<svg[^]*T_D[^]*<\/svg>$/)
      const bad = await sim(['sweep', 'crash', '--param', 'nosuch=1', '--out', out])
      assert.equal(bad.code, 2)
      assert.match(bad.stderr, /"nosuch" is not an agent option/)
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
