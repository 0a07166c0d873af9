import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { Supervisor, type ActorRef, type Behaviour, type SupervisorOptions } from '../../src/actors/index.ts'
import { VirtualClock } from '../../src/runtime/index.ts'

/** Runs every pending microtask (and the promise chains they start): not a sleep. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

type Report = [name: string, message: string, action: 'restarted' | 'stopped']

function setup(overrides: Partial<SupervisorOptions> = {}): { supervisor: Supervisor; clock: VirtualClock; reports: Report[] } {
  const clock = new VirtualClock(0)
  const reports: Report[] = []
  const supervisor = new Supervisor({
    mailboxLengthMax: 16,
    restartsMax: 3,
    restartWindowMs: 1000,
    clock,
    onFailure: (name, error, action) => reports.push([name, error instanceof Error ? error.message : String(error), action]),
    ...overrides
  })
  return { supervisor, clock, reports }
}

/** A behaviour that records what it handles and throws on 'boom' (sync) or 'reject' (async). */
function recorder(log: string[], tag = ''): Behaviour<string> {
  let seen = 0 // fresh on every restart
  return {
    receive(message) {
      seen++
      if (message === 'boom') throw new Error('boom')
      if (message === 'reject') return Promise.reject(new Error('rejected'))
      log.push(`${tag}${message}#${seen}`)
    }
  }
}

describe('Supervisor: ordering and isolation', () => {
  test('messages are handled in arrival order', async () => {
    const { supervisor } = setup({ mailboxLengthMax: 200 })
    const log: string[] = []
    const ref = supervisor.spawn('a', () => recorder(log))
    for (let i = 0; i < 150; i++) assert.equal(ref.send(String(i)), true)
    await flush()
    assert.deepEqual(log, Array.from({ length: 150 }, (_, i) => `${i}#${i + 1}`))
    assert.equal(ref.stats.processed, 150)
  })

  test('async receives never interleave: one at a time, each awaited before the next', async () => {
    const { supervisor } = setup()
    const gates = [Promise.withResolvers<void>(), Promise.withResolvers<void>(), Promise.withResolvers<void>()]
    const events: string[] = []
    let active = 0
    let activeMax = 0
    const ref = supervisor.spawn<number>('a', () => ({
      async receive(i) {
        active++
        activeMax = Math.max(activeMax, active)
        events.push(`start ${i}`)
        await gates[i]!.promise
        events.push(`end ${i}`)
        active--
      }
    }))
    for (const i of [0, 1, 2]) ref.send(i)
    await flush()
    assert.deepEqual(events, ['start 0'])
    assert.equal(ref.stats.queued, 2)
    // Releasing a later gate first must not let a later message overtake.
    gates[2]!.resolve()
    gates[1]!.resolve()
    await flush()
    assert.deepEqual(events, ['start 0'])
    gates[0]!.resolve()
    await flush()
    assert.deepEqual(events, ['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2'])
    assert.equal(activeMax, 1)
  })

  test('send() never runs the receive inline; sending from a receive is not re-entrant', async () => {
    const { supervisor } = setup()
    const events: string[] = []
    const refs: { a?: ActorRef<number>; b?: ActorRef<number> } = {}
    refs.b = supervisor.spawn<number>('b', () => ({ receive: (m) => void events.push(`b ${m}`) }))
    refs.a = supervisor.spawn<number>('a', () => ({
      receive(m) {
        events.push(`a start ${m}`)
        if (m === 1) {
          refs.a!.send(2) // to itself
          refs.b!.send(10) // to another actor
        }
        events.push(`a end ${m}`)
      }
    }))
    refs.a.send(1)
    assert.equal(events.length, 0, 'nothing runs inside send()')
    await flush()
    assert.deepEqual(events.filter((e) => e.startsWith('a')), ['a start 1', 'a end 1', 'a start 2', 'a end 2'])
    assert.ok(events.indexOf('b 10') > events.indexOf('a end 1'), events.join(', '))
  })

  test('a busy actor yields: one feeding itself does not starve another', async () => {
    const { supervisor } = setup()
    let selfSends = 0
    let selfSendsWhenBRan = -1
    const a: ActorRef<string> = supervisor.spawn('a', () => ({
      receive() {
        if (++selfSends < 1000) a.send('again')
      }
    }))
    const b = supervisor.spawn('b', () => ({ receive: () => void (selfSendsWhenBRan = selfSends) }))
    a.send('go')
    b.send('hello')
    await flush()
    assert.equal(selfSends, 1000)
    assert.ok(selfSendsWhenBRan >= 1 && selfSendsWhenBRan < 1000, `b ran after ${selfSendsWhenBRan} of a's messages`)
  })

  test('a full mailbox drops and counts; send returns false', async () => {
    const { supervisor } = setup({ mailboxLengthMax: 2 })
    const log: string[] = []
    const ref = supervisor.spawn('a', () => recorder(log))
    assert.deepEqual(['x', 'y', 'z'].map((m) => ref.send(m)), [true, true, false])
    assert.equal(ref.stats.dropped, 1)
    assert.equal(supervisor.stats.dropped, 1)
    await flush()
    assert.deepEqual(log, ['x#1', 'y#2'])
  })
})

describe('Supervisor: failures', () => {
  test('a throwing receive restarts the behaviour with fresh state; the next message goes on', async () => {
    const { supervisor, reports } = setup()
    const log: string[] = []
    let factoryCalls = 0 // state that survives restarts lives in the factory's closure
    const ref = supervisor.spawn('a', () => {
      factoryCalls++
      return recorder(log, `v${factoryCalls} `)
    })
    for (const m of ['x', 'y', 'boom', 'z']) ref.send(m)
    await flush()
    assert.deepEqual(log, ['v1 x#1', 'v1 y#2', 'v2 z#1'])
    assert.deepEqual(reports, [['a', 'boom', 'restarted']])
    assert.deepEqual(ref.stats, { processed: 3, dropped: 1, restarts: 1, queued: 0 })
    assert.deepEqual(supervisor.stats, { actors: 1, restarts: 1, dropped: 1, stopped: 0, parked: 0, revived: 0 })
  })

  test('an async rejection is handled like a throw', async () => {
    const { supervisor, reports } = setup()
    const log: string[] = []
    const ref = supervisor.spawn('a', () => recorder(log))
    for (const m of ['x', 'reject', 'y']) ref.send(m)
    await flush()
    assert.deepEqual(log, ['x#1', 'y#1'])
    assert.deepEqual(reports, [['a', 'rejected', 'restarted']])
    assert.equal(ref.stats.restarts, 1)
  })

  // [failure times (ms), restartsMax, restartWindowMs, expected actions]
  const windows: [string, number[], number, number, Report[2][]][] = [
    ['3 allowed, 4th in the window stops', [0, 10, 20, 30], 3, 1000, ['restarted', 'restarted', 'restarted', 'stopped']],
    ['failures spread past the window keep restarting', [0, 600, 1200, 1800, 2400], 1, 500, ['restarted', 'restarted', 'restarted', 'restarted', 'restarted']],
    ['the window slides: old restarts expire', [0, 900, 1001, 1002], 2, 1000, ['restarted', 'restarted', 'restarted', 'stopped']],
    ['restartsMax 0 stops at the first failure', [0], 0, 1000, ['stopped']]
  ]
  for (const [name, times, restartsMax, restartWindowMs, expected] of windows) {
    test(`restart window: ${name}`, async () => {
      const { supervisor, clock, reports } = setup({ restartsMax, restartWindowMs })
      const ref = supervisor.spawn('a', () => recorder([]))
      for (const t of times) {
        clock.advanceTo(t)
        ref.send('boom')
        await flush()
      }
      assert.deepEqual(reports.map((r) => r[2]), expected)
      const stopped = expected.at(-1) === 'stopped'
      assert.equal(supervisor.get('a'), stopped ? undefined : ref)
      assert.equal(supervisor.stats.stopped, stopped ? 1 : 0)
      assert.equal(ref.send('after'), !stopped)
    })
  }

  test('a stopped actor discards its queue and leaves the registry; its name can be reused', async () => {
    const { supervisor, reports } = setup({ restartsMax: 0 })
    const log: string[] = []
    const ref = supervisor.spawn('a', () => recorder(log))
    for (const m of ['boom', 'x', 'y']) ref.send(m)
    await flush()
    assert.deepEqual(reports, [['a', 'boom', 'stopped']])
    assert.deepEqual(log, [])
    assert.deepEqual(ref.stats, { processed: 0, dropped: 3, restarts: 0, queued: 0 })
    assert.deepEqual(supervisor.names(), [])
    const again = supervisor.spawn('a', () => recorder(log))
    again.send('x')
    await flush()
    assert.deepEqual(log, ['x#1'])
  })

  test('a factory that throws on restart is charged to the budget, then the actor stops', async () => {
    const { supervisor, reports } = setup({ restartsMax: 2 })
    let calls = 0
    const ref = supervisor.spawn('a', () => {
      if (calls++ > 0) throw new Error(`factory ${calls}`)
      return recorder([])
    })
    ref.send('boom')
    await flush()
    assert.deepEqual(reports, [['a', 'factory 3', 'stopped']])
    assert.equal(calls, 3)
    assert.equal(supervisor.get('a'), undefined)
  })

  test('an onFailure that throws does not break the actor', async () => {
    const { supervisor } = setup({ onFailure: () => { throw new Error('reporter down') } })
    const log: string[] = []
    const ref = supervisor.spawn('a', () => recorder(log))
    for (const m of ['boom', 'x']) ref.send(m)
    await flush()
    assert.deepEqual(log, ['x#1'])
    assert.equal(ref.stats.restarts, 1)
  })

  test('a factory that throws at spawn makes spawn throw and registers nothing', () => {
    const { supervisor } = setup()
    assert.throws(() => supervisor.spawn('a', () => { throw new Error('no') }), /no/)
    assert.deepEqual(supervisor.names(), [])
  })
})

describe('Supervisor: lifecycle', () => {
  test('stop() resolves after the in-flight message, discards the queue; later sends return false', async () => {
    const { supervisor } = setup()
    const gate = Promise.withResolvers<void>()
    const events: string[] = []
    const ref = supervisor.spawn<string>('a', () => ({
      async receive(m) {
        events.push(`start ${m}`)
        await gate.promise
        events.push(`end ${m}`)
      }
    }))
    for (const m of ['x', 'y', 'z']) ref.send(m)
    await flush()
    let resolved = false
    const stopping = ref.stop().then(() => { resolved = true })
    assert.equal(ref.send('late'), false)
    await flush()
    assert.equal(resolved, false, 'waits for the in-flight message')
    gate.resolve()
    await stopping
    assert.deepEqual(events, ['start x', 'end x'])
    assert.deepEqual(ref.stats, { processed: 1, dropped: 3, restarts: 0, queued: 0 })
    assert.equal(supervisor.get('a'), undefined)
    await ref.stop() // idempotent
  })

  test('names, get, stop by name, duplicate names', async () => {
    const { supervisor } = setup()
    const a = supervisor.spawn('a', () => recorder([]))
    supervisor.spawn('b', () => recorder([]))
    assert.deepEqual(supervisor.names(), ['a', 'b'])
    assert.equal(supervisor.get('a'), a)
    assert.equal(supervisor.get('nope'), undefined)
    assert.throws(() => supervisor.spawn('a', () => recorder([])), /already running/)
    await supervisor.stop('a')
    await supervisor.stop('nope')
    assert.deepEqual(supervisor.names(), ['b'])
    assert.equal(a.send('x'), false)
  })

  test('stopAll stops every actor and waits for all in-flight messages', async () => {
    const { supervisor } = setup()
    const gates = new Map<string, PromiseWithResolvers<void>>()
    const finished: string[] = []
    for (const name of ['a', 'b', 'c']) {
      gates.set(name, Promise.withResolvers<void>())
      const ref = supervisor.spawn<string>(name, (context) => ({
        async receive() {
          await gates.get(context.name)!.promise
          finished.push(context.name)
        }
      }))
      ref.send('work')
      ref.send('queued')
    }
    await flush()
    let done = false
    const all = supervisor.stopAll().then(() => { done = true })
    assert.deepEqual(supervisor.names(), [])
    gates.get('a')!.resolve()
    gates.get('c')!.resolve()
    await flush()
    assert.equal(done, false)
    gates.get('b')!.resolve()
    await all
    assert.deepEqual(finished.sort(), ['a', 'b', 'c'])
    assert.deepEqual(supervisor.stats, { actors: 0, restarts: 0, dropped: 3, stopped: 0, parked: 0, revived: 0 })
  })

  test('invalid options throw RangeError', () => {
    const clock = new VirtualClock(0)
    for (const bad of [{ mailboxLengthMax: 0 }, { restartsMax: -1 }, { restartsMax: 1.5 }, { restartWindowMs: -1 }]) {
      assert.throws(() => new Supervisor({ mailboxLengthMax: 4, restartsMax: 1, restartWindowMs: 10, clock, ...bad }), RangeError, JSON.stringify(bad))
    }
  })
})
