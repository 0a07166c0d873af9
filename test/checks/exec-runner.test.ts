/**
 * The exec runner with real child processes: fixture plugins (test/fixtures/checks/) that hang,
 * flood their output, print malformed perfdata, exit with odd codes, die by a signal, leave a
 * child behind, inspect their environment, and a binary that does not exist. Timeouts run on a
 * VirtualClock, advanced by the test, so no test waits for a timeout in real time.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { startExec, statusOfExit, type ExecOutcome } from '../../src/checks/exec-runner.ts'
import { systemClock } from '../../src/runtime/clock.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { FIXTURES, groupMembers, isRunning, waitFor } from './proc-helpers.ts'

const T = { timeout: 30_000 }
const fixture = (name: string) => join(FIXTURES, name)

/** Runs to completion on a virtual clock that is never advanced: only the process's exit ends it. */
function run(argv: string[], outputBytesMax = 4096): Promise<ExecOutcome> {
  return startExec({ argv, timeoutMs: 10_000, outputBytesMax, clock: new VirtualClock() }).done
}

describe('exec checks in the plugin convention', () => {
  for (const [code, status] of [[0, 'passing'], [1, 'warning'], [2, 'critical'], [3, 'unknown']] as const) {
    test(`exit ${code} is ${status}`, T, async () => {
      const outcome = await run([fixture('exit-code.sh'), String(code)])
      assert.equal(outcome.result.status, status)
      assert.equal(outcome.result.output, `EXIT ${code} - exiting with ${code}`)
      assert.equal(outcome.exitCode, code)
    })
  }

  for (const code of [4, 255]) {
    test(`exit ${code} is unknown, saying why`, T, async () => {
      const outcome = await run([fixture('exit-code.sh'), String(code)])
      assert.equal(outcome.result.status, 'unknown')
      assert.equal(outcome.result.output, `exit code ${code} is outside the plugin convention (0-3): EXIT ${code} - exiting with ${code}`)
    })
  }

  for (const signal of ['SEGV', 'KILL']) {
    test(`death by SIG${signal} is unknown, naming the signal`, T, async () => {
      const outcome = await run([fixture('self-kill.sh'), signal])
      assert.equal(outcome.result.status, 'unknown')
      assert.equal(outcome.signal, `SIG${signal}`)
      assert.match(outcome.result.output, new RegExp(`^killed by signal SIG${signal}: SELF-KILL about to die`))
    })
  }

  test('a missing binary is unknown with a clear output, not a crash', T, async () => {
    const outcome = await run(['/nonexistent/check_nothing', '-w', '1'])
    assert.equal(outcome.result.status, 'unknown')
    assert.equal(outcome.result.output, 'cannot run /nonexistent/check_nothing: ENOENT (no such file)')
  })

  test('a spawn failure thrown at once (an argument over the kernel limit) is unknown too', T, async () => {
    const outcome = await run(['/bin/true', 'x'.repeat(3_000_000)])
    assert.equal(outcome.result.status, 'unknown')
    assert.equal(outcome.result.output, 'cannot run /bin/true: E2BIG')
  })

  test('a file that is not executable is unknown too', T, async () => {
    const outcome = await run([join(FIXTURES, '..', '..', 'checks', 'proc-helpers.ts')])
    assert.equal(outcome.result.status, 'unknown')
    assert.match(outcome.result.output, /^cannot run .*: EACCES/)
  })

  test('malformed perfdata is dropped and counted; the good items and the status survive', T, async () => {
    const outcome = await run([fixture('malformed.sh')])
    assert.equal(outcome.result.status, 'passing')
    assert.equal(outcome.result.output, 'MIXED OK - some perfdata is broken')
    assert.equal(outcome.result.longOutput, 'long text line\nsecond long line')
    assert.deepEqual(outcome.perfdata.map((p) => [p.label, p.value, p.unit]), [
      ['good', 1, 'seconds'], ["it's quoted", 50, 'percent'], ['later', 2_048_000, 'bytes'], ['range', 3, 'none'], ['fourth', 4, 'counter']
    ])
    assert.deepEqual(outcome.rejected, { syntax: 1, label: 1, value: 2, unit: 1, threshold: 0, 'too-many': 0 })
  })

  test('a flood of output is cut at the cap without blocking the plugin; its status still counts', T, async () => {
    const outcome = await run([fixture('flood.sh')])
    assert.equal(outcome.truncated, true)
    assert.equal(outcome.result.status, 'warning', 'the plugin ran to its exit code')
    assert.equal(outcome.result.output, 'FLOOD WARNING - lots of output')
    assert.deepEqual(outcome.perfdata.map((p) => p.label), ['first'])
    assert.ok(outcome.result.longOutput.length < 4096)
  })

  test('the plugin gets a clean environment: PATH and LANG=C only', T, async () => {
    process.env['HEALTHMON_TEST_SECRET'] = 'must-not-leak'
    try {
      const outcome = await run([fixture('env.sh')])
      const keys = outcome.result.longOutput.split('\n').map((line) => line.split('=')[0])
      assert.deepEqual(keys.filter((k) => k !== 'PWD'), ['LANG', 'PATH'])
      assert.match(outcome.result.longOutput, /^LANG=C\nPATH=\/usr\/sbin:\/usr\/bin:\/sbin:\/bin\nPWD=\/$/)
    } finally {
      delete process.env['HEALTHMON_TEST_SECRET']
    }
  })

  test('a hanging plugin is unknown at the timeout, and its whole process group is killed', T, async () => {
    const clock = new VirtualClock()
    const exec = startExec({ argv: [fixture('hang.sh')], timeoutMs: 5000, outputBytesMax: 4096, clock })
    const pid = exec.pid!
    // The shell and its sleeping child both live in the plugin's own group.
    await waitFor(() => groupMembers(pid).length >= 2, 'hang.sh and its child started')
    clock.advance(4999)
    clock.advance(1)
    const outcome = await exec.done
    assert.equal(outcome.timedOut, true)
    assert.equal(outcome.result.status, 'unknown')
    assert.match(outcome.result.output, /^timed out after 5000 ms \(process group killed\)/)
    assert.equal(outcome.durationMs, 5000)
    await waitFor(() => groupMembers(pid).length === 0, 'every process of the group gone')
  })

  test('a plugin that leaves a child behind does not leave it running', T, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hm-fork-'))
    try {
      const pidFile = join(dir, 'child.pid')
      const outcome = await run([fixture('fork-child.sh'), pidFile])
      assert.equal(outcome.result.status, 'passing')
      const childPid = Number((await readFile(pidFile, 'utf8')).trim())
      assert.ok(childPid > 0)
      await waitFor(() => !isRunning(childPid), `the orphaned child ${childPid} killed`)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('stop() kills a running plugin and settles as unknown', T, async () => {
    const exec = startExec({ argv: [fixture('hang.sh')], timeoutMs: 60_000, outputBytesMax: 4096, clock: systemClock() })
    const pid = exec.pid!
    await waitFor(() => groupMembers(pid).length >= 2, 'hang.sh started')
    exec.stop()
    const outcome = await exec.done
    assert.equal(outcome.result.status, 'unknown')
    assert.match(outcome.result.output, /^stopped: the agent is shutting down/)
    await waitFor(() => groupMembers(pid).length === 0, 'the group gone')
  })

  test('statusOfExit maps the convention', () => {
    assert.deepEqual(statusOfExit(0, null), { status: 'passing', note: undefined })
    assert.deepEqual(statusOfExit(2, null), { status: 'critical', note: undefined })
    assert.equal(statusOfExit(-1, null).status, 'unknown')
    assert.equal(statusOfExit(null, 'SIGTERM').note, 'killed by signal SIGTERM')
  })
})
