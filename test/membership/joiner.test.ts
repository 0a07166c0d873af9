import assert from 'node:assert/strict'
import { test } from 'node:test'
import { Joiner } from '../../src/membership/joiner.ts'
import { seededRandom, silentLogger, VirtualClock } from '../../src/runtime/index.ts'

const flush = () => new Promise<void>((resolve) => setImmediate(resolve))

async function advance(clock: VirtualClock, ms: number) {
  for (let t = 0; t < ms; t += 10) {
    clock.advance(10)
    await flush()
  }
}

test('joiner retries with growing backoff until a dial succeeds, and again after losing all peers', async () => {
  const clock = new VirtualClock(0)
  const attempts: number[] = []
  let failuresLeft = 3
  let connected = false
  const joined: string[] = []
  const joiner = new Joiner({
    addresses: ['/memory/seed'],
    retryIntervalMsMin: 100,
    retryIntervalMsMax: 1000,
    clock,
    random: seededRandom(1),
    logger: silentLogger(),
    dial: async () => {
      attempts.push(clock.now())
      if (failuresLeft-- > 0) throw new Error('ECONNREFUSED')
      connected = true
      return 'seed-id'
    },
    isConnected: () => connected,
    onJoined: (peerId) => joined.push(peerId)
  })
  joiner.start()
  await advance(clock, 3000)
  assert.deepEqual(joined, ['seed-id'])
  assert.equal(attempts.length, 4)
  const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!)
  // Jittered 0.5x-1.5x around 100, 200, 400 ms.
  assert.ok(gaps[0]! >= 50 && gaps[0]! <= 160 && gaps[1]! >= 100 && gaps[1]! <= 310 && gaps[2]! >= 200 && gaps[2]! <= 610, `gaps ${gaps}`)
  await advance(clock, 5000)
  assert.equal(attempts.length, 4, 'no dialling while connected')
  connected = false
  joiner.lostAllPeers()
  await advance(clock, 500)
  assert.equal(attempts.length, 5, 'retried after losing all peers')
  joiner.stop()
  await advance(clock, 5000)
  assert.equal(attempts.length, 5, 'stopped')
})
