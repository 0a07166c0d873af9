/**
 * The own-heartbeat schedule on virtual time: one beat per interval from the due time (no
 * drift when a beat fires late), the missed beats of a pause skipped rather than sent in a
 * burst, each beat told how late it fired.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { HeartbeatSchedule } from '../../src/node/heartbeat-schedule.ts'
import { NodeClock } from '../../src/sim/node-clock.ts'
import { RunQueue } from '../../src/sim/run-queue.ts'

/** The schedule on a simulated process's clock (NodeClock: its timers fire late after a pause). */
function setup() {
  const base = new VirtualClock(0)
  const process = new NodeClock(base, new RunQueue())
  const beats: { at: number; lateBy: number }[] = []
  let running = true
  const schedule = new HeartbeatSchedule({ clock: process, intervalMs: 1000, beat: (lateBy, at) => beats.push({ at, lateBy }), isRunning: () => running })
  return { clock: base, process, beats, schedule, stopRunning: () => { running = false } }
}

test('beats at start and once per interval, on the due times', () => {
  const { clock, beats, schedule } = setup()
  schedule.start()
  clock.advance(3500)
  assert.deepEqual(beats.map((b) => b.at), [0, 1000, 2000, 3000])
  assert.ok(beats.every((b) => b.lateBy === 0))
  assert.equal(schedule.overdueMs(clock.now()), -500, 'the next beat is due at 4000')
})

test('a pause past an interval: one late beat says how late, the missed ones are skipped, the period restarts from it', () => {
  const { clock, process, beats, schedule } = setup()
  schedule.start()
  clock.advance(1500)
  process.pause()
  clock.advance(3000)
  assert.deepEqual(beats.map((b) => b.at), [0, 1000], 'nothing fires while paused')
  assert.equal(schedule.overdueMs(clock.now()), 2500, 'the 2000 beat is 2.5 s overdue at 4500')
  process.resume()
  clock.advance(2500)
  assert.deepEqual(beats.map((b) => [b.at, b.lateBy]), [[0, 0], [1000, 0], [4500, 2500], [5500, 0], [6500, 0]])
})

test('a beat less than an interval late keeps the original period (no drift)', () => {
  const { clock, process, beats, schedule } = setup()
  schedule.start()
  clock.advance(1900)
  process.pause()
  clock.advance(400)
  process.resume()
  clock.advance(2700)
  assert.deepEqual(beats.map((b) => [b.at, b.lateBy]), [[0, 0], [1000, 0], [2300, 300], [3000, 0], [4000, 0], [5000, 0]])
})

test('stops beating once stopped or no longer running', () => {
  const { clock, beats, schedule } = setup()
  schedule.start()
  clock.advance(1000)
  schedule.stop()
  clock.advance(5000)
  assert.equal(beats.length, 2)
  const second = setup()
  second.schedule.start()
  second.stopRunning()
  second.clock.advance(5000)
  assert.equal(second.beats.length, 1)
})
