import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, test } from 'node:test'
import { systemClock } from '../../src/runtime/clock.ts'

/**
 * scripts/attack.ts against three real agents on 127.0.0.1 (real libp2p, real processes): every
 * attack of issue 11 is rejected and counted on the agents' /metrics, every view stays clean, a
 * crash during an attack is still detected, and a refutation storm is bounded. The script ends
 * its agents by pid; this test ends the script by pid if it overruns.
 */
const SCRIPT = fileURLToPath(new URL('../../scripts/attack.ts', import.meta.url))
const RUN_MS_MAX = 170_000

interface Line {
  attack: string
  rejected?: Record<string, number>
  viewsClean?: boolean
  deadEverywhereAfterMs?: number | null
  phantomsInViews?: number
  stormMs?: number
  victimIncarnationRaisedBy?: number
  victimAliveEverywhere?: boolean
  introducedByOneExchange?: number
  graylistedAt?: number
  agents?: number
}

function runScript(): Promise<{ lines: Line[]; code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SCRIPT, '--nodes', '3', '--settle-ms', '1500'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c })
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr = (stderr + c).slice(-4000) })
    const timer = systemClock().setTimeout(() => { if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM') }, RUN_MS_MAX)
    child.on('exit', (code) => {
      timer.cancel()
      resolve({ lines: stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line), code, stderr })
    })
  })
}

describe('scripts/attack.ts on real agents', { timeout: RUN_MS_MAX + 10_000 }, () => {
  test('each attack is rejected and counted, views stay clean, a crash is still detected, a storm is bounded', async () => {
    const { lines, code, stderr } = await runScript()
    assert.equal(code, 0, stderr)
    const byName = new Map(lines.map((l) => [l.attack, l]))
    const attacks = ['phantom-verdicts', 'phantom-digest', 'forged-proofs', 'fill-member-table', 'dial-redirect', 'poison-incarnation',
      'non-observer-verdicts', 'forged-leave', 'refutation-storm', 'foreign-heartbeat-topic', 'replayed-heartbeat']
    for (const name of attacks) {
      const l = byName.get(name)
      assert.ok(l !== undefined, `${name} ran`)
      assert.equal(l.viewsClean, true, `${name}: views clean`)
      const counted = Object.entries(l.rejected ?? {}).filter(([k]) => !k.startsWith('anti-entropy') && !k.startsWith('penalised')).reduce((n, [, v]) => n + v, 0)
      assert.ok(counted > 0, `${name}: rejections counted (${JSON.stringify(l.rejected)})`)
    }
    assert.ok((byName.get('fill-member-table')!.rejected!['membership:unproven-member'] ?? 0) >= 3 * 10_000)
    assert.ok((byName.get('poison-incarnation')!.rejected!['gossip:schema'] ?? 0) > 0)
    const crash = byName.get('crash-during-attack')!
    assert.ok(crash.deadEverywhereAfterMs !== null && crash.deadEverywhereAfterMs! < 15_000, `dead after ${crash.deadEverywhereAfterMs} ms`)
    assert.equal(crash.phantomsInViews, 0)
    const storm = byName.get('refutation-storm-as-observer')!
    // refutationIntervalMsMin is 1 s: at most one refutation per second of storm and settling.
    const allowed = Math.ceil((storm.stormMs! + 1500) / 1000) + 1
    assert.ok(storm.victimIncarnationRaisedBy! <= allowed, `raised by ${storm.victimIncarnationRaisedBy}, at most ${allowed}`)
    assert.ok((storm.rejected!['membership:refutation-deferred'] ?? 0) > 0)
    assert.equal(storm.victimAliveEverywhere, true)
    const sybils = byName.get('sybil-digest')!
    assert.ok(sybils.introducedByOneExchange! <= 256, `one exchange introduced ${sybils.introducedByOneExchange}`)
    assert.ok((sybils.rejected!['membership:digest-budget'] ?? 0) >= 400 - 256)
    const floods = byName.get('floods')!
    assert.ok((floods.rejected!['rate-limited:heartbeat'] ?? 0) > 0 && (floods.rejected!['rate-limited:membership'] ?? 0) > 0, JSON.stringify(floods.rejected))
    assert.equal(floods.victimAliveEverywhere, true)
    const invalid = byName.get('invalid-messages')!
    assert.ok((invalid.rejected!['gossip:malformed'] ?? 0) > 0, JSON.stringify(invalid.rejected))
    assert.equal(invalid.graylistedAt, invalid.agents, 'every agent graylisted the attacker')
  })
})
