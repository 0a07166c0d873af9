import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ReplayWindow, type ReplayVerdict } from '../../src/transport/replay-window.ts'

/**
 * The anti-replay window against a reference model written the obvious way (a 64-bit bigint
 * bitmap, RFC 4303's scheme): the same verdict for every message of long random streams with
 * reorders, duplicates, jumps past the window and new incarnations.
 */
class ReferenceWindow {
  private readonly senders = new Map<string, { incarnation: number; highest: number; bitmap: bigint }>()
  check(sender: string, incarnation: number, seq: number): ReplayVerdict {
    const w = this.senders.get(sender)
    if (w === undefined || incarnation > w.incarnation) {
      this.senders.set(sender, { incarnation, highest: seq, bitmap: 1n })
      return 'new'
    }
    if (incarnation < w.incarnation) return 'stale-incarnation'
    if (seq > w.highest) {
      const shift = BigInt(seq - w.highest)
      w.bitmap = shift >= 64n ? 1n : ((w.bitmap << shift) | 1n) & ((1n << 64n) - 1n)
      w.highest = seq
      return 'new'
    }
    const offset = BigInt(w.highest - seq)
    if (offset >= 64n) return 'replay'
    if ((w.bitmap & (1n << offset)) !== 0n) return 'replay'
    w.bitmap |= 1n << offset
    return 'new'
  }
}

describe('replay window', () => {
  test('agrees with the bigint reference on 200,000 random messages from 5 senders', () => {
    let x = 12345
    const rnd = (n: number): number => { x = (Math.imul(x, 1103515245) + 12345) >>> 0; return x % n }
    const real = new ReplayWindow(100)
    const ref = new ReferenceWindow()
    const state = Array.from({ length: 5 }, () => ({ incarnation: 1, seq: 0 }))
    const counts: Record<ReplayVerdict, number> = { new: 0, replay: 0, 'stale-incarnation': 0 }
    for (let i = 0; i < 200_000; i++) {
      const s = rnd(5)
      const st = state[s]!
      const r = rnd(100)
      let inc = st.incarnation
      let seq: number
      if (r < 50) seq = ++st.seq // in order
      else if (r < 75) seq = st.seq - rnd(70) // reordered or replayed, some past the window
      else if (r < 85) seq = (st.seq += 1 + rnd(40)) // a jump within the window
      else if (r < 90) seq = (st.seq += 30 + rnd(70)) // a jump across half or all of it
      else if (r < 95) { inc = st.incarnation - 1; seq = st.seq } // an old incarnation
      else if (r < 97) { inc = ++st.incarnation; seq = st.seq = rnd(5) } // a restart
      else seq = st.seq // the latest again
      const expected = ref.check(`s${s}`, inc, seq)
      assert.equal(real.check(`s${s}`, inc, seq), expected, `message ${i}: sender s${s}, incarnation ${inc}, seq ${seq}`)
      counts[expected]++
    }
    for (const [verdict, n] of Object.entries(counts)) assert.ok(n > 1000, `${verdict}: ${n}`)
  })

  test('the window edges: 63 below the highest is still tracked, 64 below is a replay', () => {
    const w = new ReplayWindow(10)
    assert.equal(w.check('a', 1, 100), 'new')
    assert.equal(w.check('a', 1, 37), 'new')
    assert.equal(w.check('a', 1, 37), 'replay')
    assert.equal(w.check('a', 1, 36), 'replay', 'out of the window')
    assert.equal(w.check('a', 1, 132), 'new') // shift 32: 100 moves to bit 32
    assert.equal(w.check('a', 1, 100), 'replay')
    assert.equal(w.check('a', 1, 101), 'new')
  })
})
