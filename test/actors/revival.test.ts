/**
 * Actors that come back (issue 11): with reviveAfterMsMin set, an actor stopped by its restart
 * budget is parked (its ref stays valid, sends are refused and counted) and revived with a fresh
 * behaviour after a cooldown on the injected clock, doubling on each further stop up to the
 * maximum and starting over after a long enough healthy run. All on virtual time.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Supervisor, type Behaviour, type SupervisorOptions } from '../../src/actors/index.ts'
import { VirtualClock } from '../../src/runtime/index.ts'

/** Runs every pending microtask (and the promise chains they start): not a sleep. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function setup(overrides: Partial<SupervisorOptions> = {}) {
  const clock = new VirtualClock(0)
  const revivals: [string, 'revived' | 'failed', number][] = []
  const supervisor = new Supervisor({
    mailboxLengthMax: 16,
    restartsMax: 1,
    restartWindowMs: 1000,
    clock,
    reviveAfterMsMin: 30_000,
    reviveAfterMsMax: 300_000,
    onRevive: (name, outcome, cooldownMs) => revivals.push([name, outcome, cooldownMs]),
    ...overrides
  })
  return { supervisor, clock, revivals }
}

/** Throws on 'boom'; records the rest; counts its disposals (timers released on parking). */
function behaviour(log: string[], disposed: { count: number }): Behaviour<string> {
  return {
    receive(message) {
      if (message === 'boom') throw new Error('boom')
      log.push(message)
    },
    dispose() { disposed.count++ }
  }
}

/** Two failures inside the window: past a budget of one restart. */
async function exhaust(send: (m: string) => boolean): Promise<void> {
  send('boom')
  await flush()
  send('boom')
  await flush()
}

describe('Supervisor: revival after the restart budget', () => {
  test('parked, refusing and counting sends, then revived after 30 s with fresh state; the same ref works', async () => {
    const { supervisor, clock, revivals } = setup()
    const log: string[] = []
    const disposed = { count: 0 }
    const ref = supervisor.spawn('peer:a', () => behaviour(log, disposed))
    await exhaust((m) => ref.send(m))
    assert.equal(supervisor.parkedCount(), 1)
    assert.deepEqual({ ...supervisor.stats }, { actors: 0, restarts: 1, dropped: 2, stopped: 1, parked: 1, revived: 0 })
    assert.equal(disposed.count, 1, 'the parked behaviour released its timers')
    assert.equal(ref.send('lost'), false)
    assert.equal(supervisor.stats.dropped, 3)
    assert.equal(supervisor.get('peer:a'), ref, 'still registered while parked')

    clock.advance(29_999)
    assert.equal(supervisor.parkedCount(), 1)
    clock.advance(1)
    assert.equal(supervisor.parkedCount(), 0)
    assert.deepEqual(revivals, [['peer:a', 'revived', 30_000]])
    assert.equal(ref.send('back'), true)
    await flush()
    assert.deepEqual(log, ['back'])
    assert.deepEqual({ ...supervisor.stats }, { actors: 1, restarts: 1, dropped: 3, stopped: 1, parked: 0, revived: 1 })
    // A fresh restart window: one failure restarts again instead of parking.
    ref.send('boom')
    await flush()
    assert.equal(supervisor.parkedCount(), 0)
  })

  test('the cooldown doubles on each further stop, up to the maximum', async () => {
    const { supervisor, clock, revivals } = setup()
    const ref = supervisor.spawn('a', () => behaviour([], { count: 0 }))
    const cooldowns: number[] = []
    for (let round = 0; round < 6; round++) {
      await exhaust((m) => ref.send(m))
      assert.equal(supervisor.parkedCount(), 1, `round ${round}`)
      const before = clock.now()
      clock.advance(clock.nextDueMs()! - before)
      assert.equal(supervisor.parkedCount(), 0)
      cooldowns.push(clock.now() - before)
      // Fail again soon after the revival: well inside the maximum, so the cooldown grows.
      clock.advance(2000)
    }
    assert.deepEqual(cooldowns, [30_000, 60_000, 120_000, 240_000, 300_000, 300_000])
    assert.deepEqual(revivals.map(([, , ms]) => ms), cooldowns)
  })

  test('after running for the maximum cooldown without a stop, the next cooldown starts over at 30 s', async () => {
    const { supervisor, clock } = setup()
    const ref = supervisor.spawn('a', () => behaviour([], { count: 0 }))
    await exhaust((m) => ref.send(m))
    clock.advance(30_000)
    await exhaust((m) => ref.send(m))
    clock.advance(60_000)
    assert.equal(supervisor.parkedCount(), 0)
    clock.advance(300_000)
    await exhaust((m) => ref.send(m))
    const at = clock.now()
    assert.equal(clock.nextDueMs()! - at, 30_000)
  })

  test('a factory that throws at revival keeps it parked and tries again after a doubled cooldown', async () => {
    let failFactory = false
    const { supervisor, clock, revivals } = setup({ restartsMax: 0 })
    const ref = supervisor.spawn('a', () => {
      if (failFactory) throw new Error('not yet')
      return behaviour([], { count: 0 })
    })
    ref.send('boom')
    await flush()
    failFactory = true
    clock.advance(30_000)
    assert.equal(supervisor.parkedCount(), 1)
    failFactory = false
    clock.advance(60_000)
    assert.equal(supervisor.parkedCount(), 0)
    assert.deepEqual(revivals, [['a', 'failed', 30_000], ['a', 'revived', 60_000]])
  })

  test('stop() of a parked actor cancels its revival and frees the name; stopAll cancels every timer', async () => {
    const { supervisor, clock } = setup({ restartsMax: 0 })
    const a = supervisor.spawn('a', () => behaviour([], { count: 0 }))
    const b = supervisor.spawn('b', () => behaviour([], { count: 0 }))
    a.send('boom')
    b.send('boom')
    await flush()
    assert.equal(supervisor.parkedCount(), 2)
    await supervisor.stop('a')
    assert.equal(supervisor.get('a'), undefined)
    assert.equal(clock.pending, 1)
    await supervisor.stopAll()
    assert.equal(clock.pending, 0)
    clock.advance(600_000)
    assert.equal(supervisor.stats.revived, 0)
  })

  test('without reviveAfterMsMin an actor past its budget stays stopped (the old contract)', async () => {
    const { supervisor, clock } = setup({ reviveAfterMsMin: undefined, reviveAfterMsMax: undefined, restartsMax: 0 })
    const ref = supervisor.spawn('a', () => behaviour([], { count: 0 }))
    ref.send('boom')
    await flush()
    assert.equal(supervisor.get('a'), undefined)
    assert.equal(clock.pending, 0)
    assert.equal(supervisor.stats.parked, 0)
  })

  test('invalid revival options throw RangeError', () => {
    assert.throws(() => setup({ reviveAfterMsMin: 0 }), RangeError)
    assert.throws(() => setup({ reviveAfterMsMin: 1000, reviveAfterMsMax: 10 }), RangeError)
  })
})
