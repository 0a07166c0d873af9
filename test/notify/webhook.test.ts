import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import type { Notification } from '../../src/alerts/grouping.ts'
import { systemClock } from '../../src/runtime/clock.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { backoffDelayMs } from '../../src/notify/backoff.ts'
import { WebhookNotifier } from '../../src/notify/webhook.ts'
import { alert, T0 } from '../alerts/fixtures.ts'
import { startReceiver, type Receiver } from '../../src/sim/http-receiver.ts'

const receivers: Receiver[] = []
after(async () => { for (const r of receivers) await r.close() })

function notification(i = 0): Notification {
  return { groupKey: '{}:{alertname="PeerDead"}', groupLabels: { alertname: 'PeerDead' }, status: 'firing', alerts: [alert('PeerDead', `web-${i}`, 'firing', T0)], atMs: T0 }
}

function notifier(url: string, over: Partial<ConstructorParameters<typeof WebhookNotifier>[0]> = {}): WebhookNotifier {
  return new WebhookNotifier({
    url, clock: systemClock(), random: seededRandom(1), logger: silentLogger(),
    payload: { receiver: 'test', externalUrl: 'http://127.0.0.1/' },
    queueLengthMax: 100, timeoutMs: 2_000, attemptsMax: 3, backoff: { baseMs: 5, maxMs: 20 }, ...over
  })
}

describe('webhook notifier (real HTTP receivers on 127.0.0.1)', () => {
  test('POSTs the Alertmanager webhook payload, version 4', async () => {
    const r = await startReceiver(() => 200)
    receivers.push(r)
    const n = notifier(r.url)
    n.notify(notification(1))
    await n.idle()
    assert.equal(r.requests, 1)
    const body = r.bodies[0] as Record<string, unknown>
    assert.equal(body.version, '4')
    assert.equal(body.receiver, 'test')
    assert.equal(body.groupKey, '{}:{alertname="PeerDead"}')
    assert.equal((body.alerts as { labels: { peer: string } }[])[0]!.labels.peer, 'web-1')
    assert.deepEqual(n.stats(), { queued: 0, delivered: 1, dropped: 0, failed: 0, rejected: 0, retries: 0, timeouts: 0 })
    n.stop()
  })

  test('a receiver answering 500 is retried with backoff, then given up and counted; the caller never waits', async () => {
    const r = await startReceiver(() => 500)
    receivers.push(r)
    const n = notifier(r.url)
    for (let i = 0; i < 3; i++) n.notify(notification(i)) // returns at once (synchronous enqueue)
    assert.ok(n.stats().queued >= 2)
    await n.idle()
    assert.equal(r.requests, 9)
    assert.deepEqual(n.stats(), { queued: 0, delivered: 0, dropped: 0, failed: 3, rejected: 0, retries: 6, timeouts: 0 })
    n.stop()
  })

  test('503 then 200: delivered on the retry; a 400 is not retried', async () => {
    const r = await startReceiver((i) => (i === 0 ? 503 : 200))
    const bad = await startReceiver(() => 400)
    receivers.push(r, bad)
    const n = notifier(r.url)
    n.notify(notification())
    await n.idle()
    assert.deepEqual([r.requests, n.stats().delivered, n.stats().retries], [2, 1, 1])
    const m = notifier(bad.url)
    m.notify(notification())
    await m.idle()
    assert.deepEqual([bad.requests, m.stats().rejected], [1, 1])
    n.stop()
    m.stop()
  })

  test('a hung receiver: attempts time out, the bounded queue drops the oldest and counts, the caller never blocks', async () => {
    const r = await startReceiver(() => 'hang')
    receivers.push(r)
    const n = notifier(r.url, { timeoutMs: 150, attemptsMax: 2, queueLengthMax: 5 })
    for (let i = 0; i < 50; i++) n.notify(notification(i))
    // All 50 calls returned without awaiting anything: one in flight, 5 queued, the rest dropped.
    assert.equal(n.stats().queued, 5)
    assert.equal(n.stats().dropped, 44)
    await n.idle()
    const s = n.stats()
    assert.equal(s.failed, 6)
    assert.equal(s.timeouts, 12)
    assert.equal(r.requests, 12)
    n.stop()
  })

  test('backoff: full jitter below min(max, base x 2^attempt), deterministic under a seed', () => {
    const random = seededRandom(9)
    for (let attempt = 0; attempt < 12; attempt++) {
      const d = backoffDelayMs(attempt, { baseMs: 100, maxMs: 5_000 }, random)
      assert.ok(d >= 0 && d < Math.min(5_000, 100 * 2 ** attempt), `attempt ${attempt}: ${d}`)
    }
    assert.deepEqual([0, 1, 2].map((a) => backoffDelayMs(a, { baseMs: 100, maxMs: 5_000 }, seededRandom(3))), [0, 1, 2].map((a) => backoffDelayMs(a, { baseMs: 100, maxMs: 5_000 }, seededRandom(3))))
  })
})
