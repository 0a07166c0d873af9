import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { seededRandom } from '../../src/runtime/random.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { NodeClock } from '../../src/sim/node-clock.ts'
import { RunQueue } from '../../src/sim/run-queue.ts'
import { formatDuration, parseDuration, resolveScenario, type Scenario } from '../../src/sim/scenario.ts'
import { SimCluster } from '../../src/sim/sim-cluster.ts'
import { LAN_NETWORK, SimNetworkModel } from '../../src/sim/sim-network.ts'

describe('NodeClock', () => {
  test('a paused node\'s timers fire late, once, in order; its tasks wait too', () => {
    const base = new VirtualClock(0)
    const queue = new RunQueue()
    const clock = new NodeClock(base, queue)
    const fired: string[] = []
    clock.setTimeout(() => fired.push(`a@${base.now()}`), 100)
    clock.setTimeout(() => fired.push(`b@${base.now()}`), 200)
    const tick = clock.setInterval(() => fired.push(`i@${base.now()}`), 50)
    base.advanceTo(60, queue.drain)
    clock.pause()
    clock.schedule(() => fired.push(`task@${base.now()}`))
    base.advanceTo(1000, queue.drain)
    assert.deepEqual(fired, ['i@50'])
    clock.resume()
    base.advanceTo(1000, queue.drain)
    // Each late timer fires on a tick of its own (in due order); the held task joins the run queue at the resume.
    assert.deepEqual(fired, ['i@50', 'a@1000', 'task@1000', 'i@1000', 'b@1000'])
    base.advanceTo(1050, queue.drain)
    assert.equal(fired.at(-1), 'i@1050', 'the interval re-armed from the resume')
    tick.cancel()
  })

  test('drift: a clock at rate 1.5 reads 1.5 x virtual time and its timers run 1.5 x faster', () => {
    const base = new VirtualClock(0)
    const clock = new NodeClock(base, new RunQueue(), 1.5)
    let at = -1
    clock.setTimeout(() => { at = base.now() }, 300)
    base.advanceTo(1000)
    assert.equal(at, 200)
    assert.equal(clock.now(), 1500)
  })

  test('kill drops every timer and task for good', () => {
    const base = new VirtualClock(0)
    const queue = new RunQueue()
    const clock = new NodeClock(base, queue)
    let ran = 0
    clock.setTimeout(() => ran++, 10)
    clock.setInterval(() => ran++, 10)
    clock.kill()
    clock.schedule(() => ran++)
    base.advanceTo(100, queue.drain)
    assert.equal(ran, 0)
  })

  test('reschedule moves a pending timer at the drift rate; not one held by a pause, fired, cancelled or killed', () => {
    const base = new VirtualClock(0)
    const queue = new RunQueue()
    const clock = new NodeClock(base, queue, 2)
    const fired: number[] = []
    const t = clock.setTimeout(() => fired.push(base.now()), 100)
    base.advanceTo(20, queue.drain)
    assert.equal(t.reschedule!(300), true)
    base.advanceTo(1000, queue.drain)
    assert.deepEqual(fired, [170], 'moved to 300 node ms from virtual 20: 150 virtual ms later')
    assert.equal(t.reschedule!(10), false, 'it ran')

    const held = clock.setTimeout(() => fired.push(base.now()), 10)
    clock.pause()
    base.advanceTo(1100, queue.drain)
    assert.equal(held.reschedule!(10), false, 'it came due in the pause: the resume fires it')
    clock.resume()
    base.advanceTo(1100, queue.drain)
    assert.deepEqual(fired, [170, 1100])

    const cancelled = clock.setTimeout(() => fired.push(base.now()), 10)
    cancelled.cancel()
    assert.equal(cancelled.reschedule!(10), false)
    const orphan = clock.setTimeout(() => fired.push(base.now()), 10)
    clock.kill()
    assert.equal(orphan.reschedule!(10), false)
    base.advanceTo(2000, queue.drain)
    assert.deepEqual(fired, [170, 1100])
  })
})

describe('SimNetworkModel', () => {
  test('partitions, one-way cuts, black holes and lossy nodes drop; latency is whole ms within the profile', () => {
    const clock = new VirtualClock(0)
    const m = new SimNetworkModel({ profile: { ...LAN_NETWORK, jitterMsMean: 0 }, random: seededRandom(1), clock, nodesMax: 4 })
    for (const id of ['a', 'b', 'c', 'd']) m.addNode(id)
    const d = m.decide('a', 'b', 10)
    assert.ok(!d.drop && Number.isInteger(d.delayMs) && d.delayMs >= 1 && d.delayMs <= 3)
    m.partition([['a', 'b']])
    assert.equal(m.decide('a', 'c', 10).drop, true)
    assert.equal(m.decide('a', 'b', 10).drop, false)
    assert.equal(m.decide('c', 'd', 10).drop, false)
    m.healPartition()
    m.cut('a', 'c', true)
    assert.equal(m.decide('a', 'c', 10).drop, true)
    assert.equal(m.decide('c', 'a', 10).drop, false)
    m.setBlackholed('d', true)
    assert.equal(m.decide('c', 'd', 10).drop, true)
    m.healAll()
    m.setBlackholed('d', false)
    m.setNodeLoss('b', 1)
    assert.equal(m.decide('b', 'c', 10).drop, true)
    m.clog('c', 'a', 5000)
    const clogged = m.decide('c', 'a', 10)
    assert.ok(!clogged.drop && clogged.delayMs === 5000)
    assert.deepEqual(m.snapshot().dropped, { loss: 0, nodeLoss: 1, partition: 1, cut: 1, blackhole: 1 })
  })
})

describe('scenario language', () => {
  test('durations', () => {
    assert.equal(parseDuration('250ms'), 250)
    assert.equal(parseDuration('1.5s'), 1500)
    assert.equal(parseDuration('10m'), 600_000)
    assert.equal(parseDuration('-60s', 600_000), 540_000)
    assert.equal(parseDuration(42), 42)
    assert.throws(() => parseDuration('ten minutes'), /bad duration/)
    assert.equal(formatDuration(600_000), '10m')
    assert.equal(formatDuration(1500), '1500ms')
  })

  test('resolution is a function of the seed; groups name the same nodes; times jitter within their second', () => {
    const s: Scenario = {
      name: 't', description: 't', defaults: { nodes: 10, duration: '2m' },
      steps: [
        { at: '30s', op: 'crash', target: { random: 2 }, as: 'victims' },
        { at: '60s', op: 'restart', target: { group: 'victims' } },
        { at: '-10s', op: 'pause', target: { random: 1 }, for: '3s' }
      ]
    }
    const a = resolveScenario(s, 10, 120_000, seededRandom(5))
    const b = resolveScenario(s, 10, 120_000, seededRandom(5))
    assert.deepEqual(a, b)
    assert.deepEqual(a[1]!.nodes, a[0]!.nodes)
    assert.ok(a[0]!.atMs >= 30_000 && a[0]!.atMs < 31_000)
    assert.ok(a[2]!.atMs >= 110_000 && a[2]!.atMs < 111_000)
    assert.ok(!a[0]!.nodes!.includes(a[2]!.nodes![0]!), 'random picks avoid named nodes')
    assert.throws(() => resolveScenario({ ...s, steps: [{ at: '5m', op: 'heal-all' }] }, 10, 120_000, seededRandom(1)), /outside the run/)
  })
})

describe('SimCluster', () => {
  test('boots, converges, detects a crash and takes a restarted node back', async () => {
    const sim = new SimCluster({ nodes: 12, random: seededRandom(4), nodeConfig: {}, network: LAN_NETWORK })
    sim.boot('n0', [])
    for (let i = 1; i < 12; i++) sim.boot(`n${i}`, ['n0'])
    assert.notEqual(await sim.runUntilConverged(30_000), undefined)
    // Let the detectors fill their windows: a crash right after boot meets bootstrap estimates.
    await sim.runTo(sim.now() + 10_000)
    sim.crash('n5')
    await sim.runTo(sim.now() + 5000)
    for (const n of sim.running()) assert.equal(n.node!.view.stateOf('n5'), 'dead', `${n.id} sees n5 dead`)
    sim.restart('n5')
    assert.notEqual(await sim.runUntilConverged(30_000), undefined)
    assert.equal(sim.get('n5').node!.incarnation, 2)
  })

  test('a restarted node\'s old process is gone: nothing it registered on the reused transport keeps it alive', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const sim = new SimCluster({ nodes: 6, random: seededRandom(4), nodeConfig: {}, network: LAN_NETWORK })
    sim.boot('n0', [])
    for (let i = 1; i < 6; i++) sim.boot(`n${i}`, ['n0'])
    assert.notEqual(await sim.runUntilConverged(30_000), undefined)
    const oldNode = new WeakRef(sim.get('n3').node!)
    sim.crash('n3')
    await sim.runTo(sim.now() + 5000)
    sim.restart('n3')
    assert.notEqual(await sim.runUntilConverged(30_000), undefined)
    // The dead process's cancelled timers leave the shared heap when they come due (within a
    // minute); its connection listeners would have stayed for good.
    await sim.runTo(sim.now() + 60_000)
    // A WeakRef's target is held until the job that made it ends.
    await new Promise((resolve) => setImmediate(resolve))
    gc()
    assert.ok(oldNode.deref() === undefined, 'the crashed ClusterNode was collected')
  })
})
