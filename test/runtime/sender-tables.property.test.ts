import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { seededRandom } from '../../src/runtime/random.ts'
import { ReplayWindow } from '../../src/transport/replay-window.ts'
import { SenderRateLimit } from '../../src/transport/sender-rate-limit.ts'
import { ReferenceReplayWindow, ReferenceSenderRateLimit } from './second-chance-reference.ts'

/**
 * The columnar per-sender tables (SlotIndex plus typed-array columns) against the object per
 * sender in a SecondChanceMap they replaced: the same return value and size for every call of
 * seeded random sequences, with more senders than fit so that evictions happen all the time,
 * and some tables past the 16 slots the columns start with, so that they grow.
 * Which sender is forgotten shows in later answers (a forgotten sender's replay or old
 * incarnation passes as new; its empty bucket is full again), so a different eviction order fails.
 */
describe('per-sender tables against the object-per-sender reference', () => {
  test('ReplayWindow: 2,000 seeded sequences of 300 messages, sendersMax 1-8 or 17-40', () => {
    const random = seededRandom(7)
    for (let run = 0; run < 2000; run++) {
      const max = run % 10 === 9 ? 17 + random.int(24) : 1 + random.int(8) // some past 16 slots, so the columns grow
      const senders = Array.from({ length: max + 1 + random.int(max + 2) }, (_, i) => ({ name: `s${i}`, incarnation: 1 + random.int(3), seq: random.int(100) }))
      const ref = new ReferenceReplayWindow(max)
      const real = new ReplayWindow(max)
      for (let op = 0; op < 300; op++) {
        const st = random.pick(senders)!
        const r = random.int(100)
        let inc = st.incarnation
        let seq: number
        if (r < 30) seq = ++st.seq // in order
        else if (r < 55) seq = st.seq - random.int(70) // reordered or replayed, some past the window
        else if (r < 65) seq = (st.seq += 1 + random.int(40)) // a jump within the window
        else if (r < 72) seq = (st.seq += 30 + random.int(70)) // a jump across half or all of it
        else if (r < 82) { inc = st.incarnation - 1 - random.int(2); seq = st.seq } // an old incarnation
        else if (r < 88) { inc = ++st.incarnation; seq = st.seq = random.int(5) } // a restart
        else if (r < 92) { inc = st.incarnation + 2 ** 40; seq = 2 ** 52 + random.int(1000) } // beyond 32 bits
        else seq = st.seq // the latest again
        const where = `run ${run} (max ${max}), op ${op}: ${st.name} ${inc}/${seq}`
        assert.equal(real.check(st.name, inc, seq), ref.check(st.name, inc, seq), where)
        assert.equal(real.size, ref.size, `${where}: size`)
      }
    }
  })

  test('SenderRateLimit: 2,000 seeded sequences of 300 messages, sendersMax 1-8 or 17-40', () => {
    const random = seededRandom(11)
    for (let run = 0; run < 2000; run++) {
      const max = run % 10 === 9 ? 17 + random.int(24) : 1 + random.int(8) // some past 16 slots, so the columns grow
      const clock = { now: 1_700_000_000_000 + random.int(1000) }
      const options = { perSecond: [0.5, 1, 4, 7.3][random.int(4)]!, burst: 1 + random.int(4), sendersMax: max, now: () => clock.now }
      const names = Array.from({ length: max + 1 + random.int(max + 2) }, (_, i) => `s${i}`)
      const ref = new ReferenceSenderRateLimit(options)
      const real = new SenderRateLimit(options)
      for (let op = 0; op < 300; op++) {
        const r = random.next()
        if (r < 0.3) clock.now += random.int(400) // a fraction of a token, or a few
        else if (r < 0.33) clock.now -= random.int(50) // the clock stepping back
        const name = random.pick(names)!
        const where = `run ${run} (max ${max}, ${options.perSecond}/s, burst ${options.burst}), op ${op}: ${name} at ${clock.now}`
        assert.equal(real.take(name), ref.take(name), where)
        assert.equal(real.size, ref.size, `${where}: size`)
      }
    }
  })
})
