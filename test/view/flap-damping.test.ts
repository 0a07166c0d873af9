import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { PeerState } from '../../src/api/protocol.ts'
import { NO_FLAPS, stepFlaps, type FlapState } from '../../src/view/flap-damping.ts'

const options = { alarmsMax: 2, windowMs: 120_000, holdDownMs: 30_000, steadyPhiMax: 3 }

/** Feeds (time, verdict underneath) pairs and returns what the view showed after each. */
function run(steps: [number, PeerState, boolean?][], opts = options): { shown: PeerState[]; reasons: (string | undefined)[]; state: FlapState } {
  let state = NO_FLAPS
  let shown: PeerState = 'alive'
  const out: PeerState[] = []
  const reasons: (string | undefined)[] = []
  for (const [nowMs, verdict, wavering] of steps) {
    const step = stepFlaps(state, { shown, verdict, nowMs, wavering }, opts)
    state = step.state
    shown = step.show
    out.push(shown)
    reasons.push(step.reason)
  }
  return { shown: out, reasons, state }
}

describe('flap damping', () => {
  test('one suspicion and recovery pass through', () => {
    assert.deepEqual(run([[0, 'suspect'], [5000, 'alive']]).shown, ['suspect', 'alive'])
  })

  test('the recovery after the second alarm in the window is held, then released once steady for the hold-down', () => {
    const r = run([[0, 'suspect'], [5000, 'alive'], [20_000, 'suspect'], [25_000, 'alive'], [40_000, 'alive'], [55_000, 'alive']])
    assert.deepEqual(r.shown, ['suspect', 'alive', 'suspect', 'suspect', 'suspect', 'alive'])
    assert.match(r.reasons[3]!, /^flapping: 2 alarms in 120 s; shown suspect until steady for 30 s$/)
    assert.match(r.reasons[5]!, /^steady for 30 s after flapping$/)
  })

  test('a new suspicion while held restarts the steady clock, raising no alarm', () => {
    const r = run([[0, 'suspect'], [1000, 'alive'], [2000, 'suspect'], [3000, 'alive'], [20_000, 'suspect'], [21_000, 'alive'], [45_000, 'alive'], [51_000, 'alive']])
    assert.deepEqual(r.shown, ['suspect', 'alive', 'suspect', 'suspect', 'suspect', 'suspect', 'suspect', 'alive'])
    assert.equal(r.state.alarms.length, 2, 'only the two shown alive -> suspect changes were alarms')
  })

  test('alarms spread wider than the window are not flapping', () => {
    assert.deepEqual(run([[0, 'suspect'], [5000, 'alive'], [200_000, 'suspect'], [205_000, 'alive']]).shown, ['suspect', 'alive', 'suspect', 'alive'])
  })

  test('nothing is hidden: a held member that dies is dead at once; one that leaves, left', () => {
    const held: [number, PeerState][] = [[0, 'suspect'], [1000, 'alive'], [2000, 'dead'], [3000, 'alive']]
    const dying = run([...held, [4000, 'dead']])
    assert.deepEqual(dying.shown, ['suspect', 'alive', 'dead', 'suspect', 'dead'])
    const leaving = run([...held, [4000, 'left'], [5000, 'alive']])
    assert.deepEqual(leaving.shown.slice(-2), ['left', 'alive'], 'a leave ends the hold')
  })

  test('a recovery from dead is held as suspect (a sick member fails its probes)', () => {
    const r = run([[0, 'dead'], [1000, 'alive'], [2000, 'suspect'], [3000, 'dead'], [4000, 'alive']])
    assert.deepEqual(r.shown, ['dead', 'alive', 'suspect', 'dead', 'suspect'])
  })

  test('a late heartbeat while held (wavering) restarts the steady period', () => {
    const r = run([[0, 'suspect'], [1000, 'alive'], [2000, 'suspect'], [3000, 'alive'], [20_000, 'alive', true], [40_000, 'alive'], [60_000, 'alive'], [70_000, 'alive']])
    assert.deepEqual(r.shown, ['suspect', 'alive', 'suspect', 'suspect', 'suspect', 'suspect', 'suspect', 'alive'])
  })

  test('damping off', () => {
    const off = run([[0, 'suspect'], [1000, 'alive'], [2000, 'suspect'], [3000, 'alive']], { ...options, alarmsMax: 0 })
    assert.deepEqual(off.shown, ['suspect', 'alive', 'suspect', 'alive'])
  })
})
