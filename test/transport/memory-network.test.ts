import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'
import { MemoryNetwork, type LinkDecision, type MemoryTransport } from '../../src/transport/memory-transport.ts'
import type { ProbeResult, TransportMessage } from '../../src/transport/types.ts'

/**
 * What only the in-memory network does: link faults, the link model, pauses and the counters.
 * Everything runs on a VirtualClock, so each test is exact: no sleeps, no races.
 */
const TOPIC = '/test/memory/topic'
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => new TextDecoder().decode(b)

interface Fixture {
  clock: VirtualClock
  net: MemoryNetwork
  nodes: Record<string, MemoryTransport>
  inboxes: Record<string, TransportMessage[]>
  /** Lets every microtask run (publish and request are async) and then advances the clock. */
  settle(ms?: number): Promise<void>
}

async function fixture(ids: string[] = ['a', 'b', 'c']): Promise<Fixture> {
  const clock = new VirtualClock()
  const net = new MemoryNetwork({ clock, messageBytesMax: 1024 })
  const nodes: Record<string, MemoryTransport> = {}
  const inboxes: Record<string, TransportMessage[]> = {}
  for (const id of ids) {
    const node = net.createTransport(id)
    await node.start()
    node.subscribe(TOPIC)
    const inbox: TransportMessage[] = []
    node.onMessage((msg) => inbox.push(msg))
    nodes[id] = node
    inboxes[id] = inbox
  }
  const settle = async (ms = 0): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve()
    clock.advance(ms)
    for (let i = 0; i < 5; i++) await Promise.resolve()
  }
  return { clock, net, nodes, inboxes, settle }
}

const texts = (inbox: TransportMessage[]): string[] => inbox.map((m) => text(m.data))

describe('MemoryNetwork', () => {
  test('delivery is asynchronous, copies the published bytes once and reaches every other subscriber', { timeout: 5000 }, async () => {
    const { nodes, inboxes, settle } = await fixture()
    const data = bytes('one')
    await nodes.a!.publish(TOPIC, data)
    assert.equal(inboxes.b!.length, 0, 'nothing is delivered inside publish()')
    data[0] = 0x58 // the publisher reusing its buffer must not change what was sent
    await settle()
    assert.deepEqual(texts(inboxes.b!), ['one'])
    assert.deepEqual(texts(inboxes.c!), ['one'])
    assert.deepEqual(inboxes.a, [])
    // The receivers share one copy: received data is read only (TransportMessage.data).
    assert.equal(inboxes.b![0]!.data, inboxes.c![0]!.data)
  })

  test('a cut link drops delivery, healing restores it, and a one-way cut keeps the other way', { timeout: 5000 }, async () => {
    const { net, nodes, inboxes, settle } = await fixture()
    net.cutLink('a', 'b')
    await nodes.a!.publish(TOPIC, bytes('cut'))
    await nodes.b!.publish(TOPIC, bytes('cut-back'))
    await settle()
    assert.deepEqual(texts(inboxes.b!), [])
    assert.deepEqual(texts(inboxes.a!), [])
    assert.deepEqual(texts(inboxes.c!), ['cut', 'cut-back'])
    net.healLink('b', 'a')
    await nodes.a!.publish(TOPIC, bytes('healed'))
    await settle()
    assert.deepEqual(texts(inboxes.b!), ['healed'])

    net.cutLink('a', 'b', { oneWay: true })
    await nodes.a!.publish(TOPIC, bytes('a-to-b'))
    await nodes.b!.publish(TOPIC, bytes('b-to-a'))
    await settle()
    assert.deepEqual(texts(inboxes.b!), ['healed'])
    assert.deepEqual(texts(inboxes.a!), ['b-to-a'])
    assert.equal(net.stats().dropped.linkCut, 3)
  })

  test('a message in flight on a link that is cut is lost', { timeout: 5000 }, async () => {
    const { net, nodes, inboxes, settle } = await fixture()
    net.setLinkModel({ decide: () => ({ drop: false, delayMs: 100 }) })
    await nodes.a!.publish(TOPIC, bytes('in-flight'))
    await settle(50)
    net.cutLink('a', 'b')
    await settle(100)
    assert.deepEqual(texts(inboxes.b!), [])
    assert.deepEqual(texts(inboxes.c!), ['in-flight'])
  })

  test('the link model drops, delays and duplicates, per link', { timeout: 5000 }, async () => {
    const { clock, net, nodes, inboxes, settle } = await fixture()
    const seen: Array<[string, string, number]> = []
    net.setLinkModel({
      decide(from, to, size): LinkDecision {
        seen.push([from, to, size])
        if (to === 'b') return { drop: true }
        return { drop: false, delayMs: 250, duplicate: true }
      }
    })
    const start = clock.now()
    const arrivals: number[] = []
    nodes.c!.onMessage((msg) => {
      inboxes.c!.push(msg)
      arrivals.push(clock.now() - start)
    })
    await nodes.a!.publish(TOPIC, bytes('12345'))
    await settle(249)
    assert.deepEqual(inboxes.c, [], 'not before the delay')
    await settle(1)
    assert.deepEqual(texts(inboxes.c!), ['12345', '12345'])
    assert.deepEqual(arrivals, [250, 250])
    assert.deepEqual(inboxes.b, [])
    assert.deepEqual(seen.sort(), [['a', 'b', 5], ['a', 'c', 5]])
    const stats = net.stats()
    assert.equal(stats.dropped.linkModel, 1)
    assert.equal(stats.duplicated, 1)
    assert.equal(stats.delivered, 2)
  })

  test('a paused node queues what it receives and sends, and catches up on resume', { timeout: 5000 }, async () => {
    const { net, nodes, inboxes, settle } = await fixture()
    net.setPaused('b', true)
    await nodes.a!.publish(TOPIC, bytes('while-paused-1'))
    await nodes.a!.publish(TOPIC, bytes('while-paused-2'))
    await nodes.b!.publish(TOPIC, bytes('from-paused'))
    await settle(10_000)
    assert.deepEqual(inboxes.b, [])
    assert.deepEqual(texts(inboxes.c!), ['while-paused-1', 'while-paused-2'], 'a paused node sends nothing')
    net.setPaused('b', false)
    assert.deepEqual(inboxes.b, [], 'resume does not deliver inside the call')
    await settle()
    assert.deepEqual(texts(inboxes.b!), ['while-paused-1', 'while-paused-2'])
    assert.deepEqual(texts(inboxes.c!), ['while-paused-1', 'while-paused-2', 'from-paused'])
    assert.equal(net.stats().queuedWhilePaused, 2)
  })

  test('probe: ok with rtt = twice the link delay, timeout when cut or paused, refused when stopped', { timeout: 5000 }, async () => {
    const { net, nodes, settle } = await fixture()
    net.setLinkModel({ decide: () => ({ drop: false, delayMs: 7 }) })
    let result: ProbeResult | undefined
    const run = async (target: string, advanceMs: number): Promise<ProbeResult | undefined> => {
      result = undefined
      void nodes.a!.probe(target, 1000).then((r) => { result = r })
      await settle(advanceMs)
      return result
    }
    assert.deepEqual(await run('b', 14), { ok: true, rttMs: 14 })
    net.cutLink('a', 'b', { oneWay: true }) // a one-way cut breaks the round trip too
    assert.equal(await run('b', 999), undefined, 'still waiting before the timeout')
    await settle(1)
    assert.deepEqual(result, { ok: false, reason: 'timeout' })
    net.healLink('a', 'b')
    net.setPaused('b', true)
    assert.deepEqual(await run('b', 1000), { ok: false, reason: 'timeout' })
    net.setPaused('b', false)
    await nodes.b!.stop()
    assert.deepEqual(await run('b', 0), { ok: false, reason: 'refused' })
    assert.deepEqual(await run('nobody', 0), { ok: false, reason: 'refused' })
  })

  test('request/response respects link delay, cuts and the frame limit', { timeout: 5000 }, async () => {
    const { net, nodes, settle } = await fixture()
    nodes.b!.handle('/echo', async (from, req) => bytes(`${from}:${text(req)}`))
    net.setLinkModel({ decide: () => ({ drop: false, delayMs: 5 }) })
    // Read through a function: TypeScript's narrowing cannot see assignments made in callbacks.
    const box: { response?: string | Error } = {}
    const response = (): string | Error | undefined => box.response
    const send = (data: Uint8Array): void => {
      delete box.response
      nodes.a!.request('b', '/echo', data, 100).then((r) => { box.response = text(r) }, (err: Error) => { box.response = err })
    }
    send(bytes('hi'))
    await settle(5)
    assert.equal(response(), undefined)
    await settle(5)
    assert.equal(response(), 'a:hi')
    net.cutLink('a', 'b')
    send(bytes('lost'))
    await settle(100)
    const timedOut = response()
    assert.ok(timedOut instanceof Error && timedOut.name === 'TimeoutError')
    net.healLink('a', 'b')
    send(new Uint8Array(4 * 1024 * 1024 + 1))
    await settle()
    assert.ok(response() instanceof RangeError)
  })

  test('dial and peer events; stopping a node disconnects it and refuses calls to it', { timeout: 5000 }, async () => {
    const { nodes, settle } = await fixture()
    const events: string[] = []
    nodes.a!.on('peer:connect', (id) => events.push(`+${id}`))
    nodes.a!.on('peer:disconnect', (id) => events.push(`-${id}`))
    let dialled: string | undefined
    void nodes.a!.dial('/memory/b').then((id) => { dialled = id })
    await settle()
    assert.equal(dialled, 'b')
    assert.deepEqual(nodes.a!.connectedPeers(), ['b'])
    assert.deepEqual(nodes.b!.connectedPeers(), ['a'])
    await nodes.b!.stop()
    await settle()
    assert.deepEqual(events, ['+b', '-b'])
    assert.deepEqual(nodes.a!.connectedPeers(), [])
    await assert.rejects(nodes.a!.dial('/memory/b'))
    await assert.rejects(nodes.a!.request('b', '/echo', bytes('x'), 100))
    await assert.rejects(nodes.a!.dial('/ip4/127.0.0.1/tcp/1'))
  })

  test('stats count publishes, deliveries and every kind of drop', { timeout: 5000 }, async () => {
    const { net, nodes, settle } = await fixture(['a', 'b', 'c', 'd'])
    nodes.b!.setValidator(() => 'reject')
    nodes.c!.setValidator(() => 'ignore')
    nodes.d!.setValidator(() => {
      throw new Error('validator bug')
    })
    await nodes.a!.publish(TOPIC, bytes('x'))
    await settle()
    await assert.rejects(nodes.a!.publish(TOPIC, new Uint8Array(1025)))
    nodes.b!.setValidator(() => 'accept')
    nodes.b!.onMessage(() => {
      throw new Error('handler bug')
    })
    nodes.c!.unsubscribe(TOPIC)
    await nodes.a!.publish(TOPIC, bytes('y'))
    await settle()
    const stats = net.stats()
    assert.equal(stats.published, 2)
    assert.equal(stats.delivered, 1)
    assert.equal(stats.handlerErrors, 1)
    assert.deepEqual(
      { rejected: stats.dropped.rejected, ignored: stats.dropped.ignored, validatorError: stats.dropped.validatorError },
      { rejected: 1, ignored: 1, validatorError: 2 })
    assert.equal(stats.sent, 5)
  })

  test('1,000 nodes with 10 subscriptions each: a publish costs its topic\'s subscribers only', { timeout: 10_000 }, async () => {
    const clock = new VirtualClock()
    const net = new MemoryNetwork({ clock, messageBytesMax: 1024 })
    const nodes: MemoryTransport[] = []
    let delivered = 0
    for (let i = 0; i < 1000; i++) {
      const node = net.createTransport(`n${i}`)
      await node.start()
      for (let k = 1; k <= 10; k++) node.subscribe(`hb/${(i + k) % 1000}`)
      node.onMessage(() => delivered++)
      nodes.push(node)
    }
    const started = performance.now()
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 1000; i++) await nodes[i]!.publish(`hb/${i}`, bytes(`beat-${round}`))
      clock.advance(1000)
    }
    assert.equal(delivered, 10 * 1000 * 10)
    assert.ok(performance.now() - started < 5000, `100,000 deliveries took ${performance.now() - started} ms`)
  })

  test('a link observer sees every copy sent and received, by kind; a per-node clock times that node\'s calls', { timeout: 5000 }, async () => {
    const { net, nodes, settle } = await fixture()
    const seen: string[] = []
    net.setLinkObserver({
      sent: (from, to, n, kind) => seen.push(`sent ${from}>${to} ${kind} ${n}`),
      received: (from, to, n, kind) => seen.push(`recv ${from}>${to} ${kind} ${n}`)
    })
    await nodes.a!.publish(TOPIC, bytes('xy'))
    await settle()
    assert.deepEqual(seen.sort(), ['recv a>b gossip 2', 'recv a>c gossip 2', 'sent a>b gossip 2', 'sent a>c gossip 2'])
    seen.length = 0
    net.cutLink('a', 'b')
    const result = nodes.a!.probe('b', 100)
    await settle(150)
    assert.deepEqual(await result, { ok: false, reason: 'timeout' })
    assert.deepEqual(seen, ['sent a>b dial 32'], 'a copy lost on a cut link was still sent')

    const own = new VirtualClock(0)
    const late = net.createTransport('late', { clock: own })
    await late.start()
    const timedOut = late.probe('a', 50)
    await settle(100)
    assert.deepEqual(await timedOut, { ok: true, rttMs: 0 }, 'its own clock did not move: no timeout, 0 ms measured')
  })
})
