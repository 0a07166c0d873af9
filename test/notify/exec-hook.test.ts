import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import type { Transition } from '../../src/alerts/instance.ts'
import { systemClock } from '../../src/runtime/clock.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { ExecHook } from '../../src/notify/exec-hook.ts'
import { T0 } from '../alerts/fixtures.ts'

let dir = ''
before(async () => { dir = await mkdtemp(join(tmpdir(), 'healthmon-exec-')) })
after(async () => { await rm(dir, { recursive: true, force: true }) })

function transition(summary = 'web-1 is dead; $(rm -rf /) `x`'): Transition {
  return {
    type: 'alert:firing', previous: 'pending',
    alert: {
      fingerprint: 'abcdef0123456789', rule: 'PeerDead', labels: { alertname: 'PeerDead', peer: 'web-1' }, annotations: { summary },
      state: 'firing', severity: 'critical', subject: { kind: 'peer', id: 'p1' }, value: 1, activeAtMs: T0, firedAtMs: T0, resolvedAtMs: null,
      lastNotifiedAtMs: null, lastTrueAtMs: T0, lastSeenAtMs: T0, holding: true, firedTimesMs: [T0]
    }
  }
}

const node = process.execPath

describe('exec hook (real child processes)', () => {
  test('runs argv without a shell, the alert in ALERT_* variables', async () => {
    const out = join(dir, 'env.json')
    const script = `require('fs').writeFileSync(process.argv[1], JSON.stringify(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('ALERT_')))))`
    const hook = new ExecHook({ argv: [node, '-e', script, out], timeoutMs: 10_000, clock: systemClock(), logger: silentLogger() })
    hook.run(transition())
    await hook.idle()
    const env = JSON.parse(await readFile(out, 'utf8'))
    assert.deepEqual(env, {
      ALERT_NAME: 'PeerDead', ALERT_STATUS: 'firing', ALERT_PREVIOUS_STATUS: 'pending', ALERT_VALUE: '1', ALERT_SEVERITY: 'critical',
      ALERT_SUMMARY: 'web-1 is dead; $(rm -rf /) `x`', ALERT_FINGERPRINT: 'abcdef0123456789', ALERT_LABELS: '{"alertname":"PeerDead","peer":"web-1"}'
    })
    assert.deepEqual(hook.snapshot(), { started: 1, succeeded: 1, failed: 0, timedOut: 0, dropped: 0, running: 0, queued: 0 })
  })

  test('a hook that hangs is killed at the timeout; one that fails or cannot start is counted', async () => {
    const hook = new ExecHook({ argv: [node, '-e', 'setTimeout(() => {}, 60000)'], timeoutMs: 300, clock: systemClock(), logger: silentLogger() })
    hook.run(transition())
    assert.equal(hook.snapshot().running, 1) // run() returned while the child runs
    await hook.idle()
    assert.equal(hook.snapshot().timedOut, 1)
    const failing = new ExecHook({ argv: [node, '-e', 'process.exit(3)'], timeoutMs: 10_000, clock: systemClock(), logger: silentLogger() })
    failing.run(transition())
    await failing.idle()
    assert.equal(failing.snapshot().failed, 1)
    const missing = new ExecHook({ argv: [join(dir, 'no-such-program')], timeoutMs: 10_000, clock: systemClock(), logger: silentLogger() })
    missing.run(transition())
    await missing.idle()
    assert.equal(missing.snapshot().failed, 1)
  })

  test('bounded: past concurrency and queue limits the oldest waiting run is dropped and counted', async () => {
    const hook = new ExecHook({ argv: [node, '-e', ''], timeoutMs: 10_000, clock: systemClock(), logger: silentLogger(), concurrencyMax: 1, queueLengthMax: 2 })
    for (let i = 0; i < 6; i++) hook.run(transition())
    assert.deepEqual([hook.snapshot().running, hook.snapshot().queued, hook.snapshot().dropped], [1, 2, 3])
    await hook.idle()
    assert.equal(hook.snapshot().succeeded, 3)
  })
})
