import { test, describe, after } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { systemClock } from '../../src/runtime/clock.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { createLibp2pTransport } from '../../src/transport/libp2p-transport.ts'
import { MemoryNetwork } from '../../src/transport/memory-transport.ts'
import type { Transport, TransportMessage, ValidationResult } from '../../src/transport/types.ts'

/**
 * The Transport contract, one suite run against both implementations: libp2p on real TCP over
 * 127.0.0.1 and the in-memory network on the system clock. Code above the transport must not be
 * able to tell them apart, so every assertion here holds for both. Waits are predicates with a
 * deadline, never fixed sleeps; gossip that depends on subscription propagation (libp2p) is
 * published repeatedly until it arrives.
 */
interface Harness {
  name: string
  /** A fresh, unstarted node. */
  create(options?: { messageBytesMax?: number }): Promise<Transport>
}

const MESSAGE_BYTES_MAX = 4096
const TEST_TIMEOUT_MS = 20_000

function libp2pHarness(): Harness {
  return {
    name: 'libp2p',
    async create(options = {}) {
      return createLibp2pTransport({
        privateKey: await generateKeyPair('Ed25519'),
        listen: ['/ip4/127.0.0.1/tcp/0'],
        allowPeers: [],
        messageBytesMax: options.messageBytesMax ?? MESSAGE_BYTES_MAX,
        inboundConnectionsPerHostPerSecondMax: 10_000,
        gossipIpColocationPenalty: false,
        clock: systemClock(),
        logger: silentLogger()
      })
    }
  }
}

function memoryHarness(): Harness {
  const network = new MemoryNetwork({ clock: systemClock(), messageBytesMax: MESSAGE_BYTES_MAX })
  let next = 0
  return {
    name: 'memory',
    async create(options = {}) {
      return network.createTransport(`node-${++next}`, options)
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)
const text = (b: Uint8Array): string => new TextDecoder().decode(b)

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!predicate()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

/** Publishes numbered messages until `done` holds: the first ones may precede subscription propagation. */
async function publishUntil(publisher: Transport, topic: string, prefix: string, done: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  for (let i = 0; !done(); i++) {
    if (performance.now() > deadline) assert.fail(`no delivery of "${prefix}" on ${topic}`)
    await publisher.publish(topic, bytes(`${prefix}-${i}`))
    for (let t = 0; t < 10 && !done(); t++) await sleep(10)
  }
}

/** Records what a node receives. */
function inbox(node: Transport): TransportMessage[] {
  const received: TransportMessage[] = []
  node.onMessage((msg) => received.push(msg))
  return received
}

function contractSuite(harness: Harness): void {
  describe(`Transport contract: ${harness.name}`, () => {
    const live: Transport[] = []
    after(async () => {
      await Promise.all(live.map((n) => n.stop()))
    })

    /** Creates and starts nodes; every one is stopped in `after` whatever happens. */
    async function started(count: number, options?: { messageBytesMax?: number }): Promise<Transport[]> {
      const nodes: Transport[] = []
      for (let i = 0; i < count; i++) {
        const node = await harness.create(options)
        live.push(node)
        await node.start()
        nodes.push(node)
      }
      return nodes
    }

    async function stopAll(nodes: Transport[]): Promise<void> {
      await Promise.all(nodes.map((n) => n.stop()))
    }

    /** a dials b; resolves once both see the connection. */
    async function link(a: Transport, b: Transport): Promise<void> {
      assert.equal(await a.dial(b.listenAddresses()[0]!), b.peerId)
      await waitFor('connection on both sides', () => a.connectedPeers().includes(b.peerId) && b.connectedPeers().includes(a.peerId))
      assert.ok(a.isConnected(b.peerId) && b.isConnected(a.peerId), 'isConnected agrees with connectedPeers')
    }

    test('start and stop are idempotent, even when overlapping', { timeout: TEST_TIMEOUT_MS }, async () => {
      const node = await harness.create()
      live.push(node)
      await Promise.all([node.start(), node.start()])
      await node.start()
      const addresses = node.listenAddresses()
      assert.ok(addresses.length > 0)
      await Promise.all([node.stop(), node.stop()])
      await node.stop()
      // A stopped node can start again, keeping its identity.
      await node.start()
      assert.ok(node.listenAddresses().length > 0)
      assert.ok(node.listenAddresses().every((a) => a.includes(node.peerId)))
      await node.stop()
    })

    test('listen addresses name the peer and dialling one reaches it', { timeout: TEST_TIMEOUT_MS }, async () => {
      const [a, b, c] = await started(3)
      try {
        for (const address of b!.listenAddresses()) {
          assert.ok(address.endsWith(`/p2p/${b!.peerId}`) || address === `/memory/${b!.peerId}`, address)
        }
        assert.equal(await a!.dial(b!.listenAddresses()[0]!), b!.peerId)
        // Without the /p2p/<id> suffix the handshake still tells who answered.
        const bare = c!.listenAddresses()[0]!.replace(/\/p2p\/[^/]+$/, '')
        assert.equal(await a!.dial(bare), c!.peerId)
        await waitFor('both connections', () => a!.connectedPeers().includes(b!.peerId) && a!.connectedPeers().includes(c!.peerId))
      } finally {
        await stopAll([a!, b!, c!])
      }
    })

    test('peer:connect fires on both sides; peer:disconnect after disconnect()', { timeout: TEST_TIMEOUT_MS }, async () => {
      const [a, b] = await started(2)
      try {
        const seen: string[] = []
        a!.on('peer:connect', (id) => seen.push(`a+${id}`))
        b!.on('peer:connect', (id) => seen.push(`b+${id}`))
        a!.on('peer:disconnect', (id) => seen.push(`a-${id}`))
        await a!.connect(b!.peerId, b!.listenAddresses())
        await waitFor('peer:connect on both', () => seen.includes(`a+${b!.peerId}`) && seen.includes(`b+${a!.peerId}`))
        await a!.disconnect(b!.peerId)
        await waitFor('peer:disconnect', () => seen.includes(`a-${b!.peerId}`))
        assert.ok(!a!.connectedPeers().includes(b!.peerId))
        assert.ok(!a!.isConnected(b!.peerId) && !a!.isConnected('not a peer id'))
      } finally {
        await stopAll([a!, b!])
      }
    })

    test('publish reaches subscribers only, from the publisher, never back to itself', { timeout: TEST_TIMEOUT_MS }, async () => {
      const [pub, sub, other] = await started(3)
      try {
        await link(pub!, sub!)
        await link(pub!, other!)
        const topic = '/test/contract/topic'
        pub!.subscribe(topic)
        sub!.subscribe(topic)
        other!.subscribe('/test/contract/other')
        assert.deepEqual(sub!.subscriptions(), [topic])
        const atPub = inbox(pub!)
        const atSub = inbox(sub!)
        const atOther = inbox(other!)
        await publishUntil(pub!, topic, 'hello', () => atSub.length > 0)
        const [first] = atSub
        assert.equal(first!.topic, topic)
        assert.equal(first!.from, pub!.peerId)
        assert.match(text(first!.data), /^hello-\d+$/)
        // A later message on the same path: once it is in, nothing else can still be on its way.
        await sub!.publish(topic, bytes('reply'))
        await waitFor('reply at the publisher', () => atPub.some((m) => text(m.data) === 'reply'))
        assert.ok(atPub.every((m) => m.from === sub!.peerId), 'no node receives its own publishes')
        assert.deepEqual(atOther, [], 'a non-subscriber receives nothing')
        sub!.unsubscribe(topic)
        assert.deepEqual(sub!.subscriptions(), [])
      } finally {
        await stopAll([pub!, sub!, other!])
      }
    })

    test('a direct-only subscription (relay: false) receives, validated, what its publisher sends it directly', { timeout: TEST_TIMEOUT_MS }, async () => {
      const [pub, sub] = await started(2)
      try {
        await link(pub!, sub!)
        const topic = '/test/contract/direct'
        sub!.subscribe(topic, { relay: false })
        const seen: string[] = []
        sub!.setValidator((m) => {
          seen.push(text(m.data))
          return text(m.data).startsWith('R-') ? 'reject' : 'accept'
        })
        const atSub = inbox(sub!)
        await publishUntil(pub!, topic, 'direct', () => atSub.length > 0)
        assert.equal(atSub[0]!.from, pub!.peerId)
        await pub!.publish(topic, bytes('R-no'))
        await pub!.publish(topic, bytes('last'))
        await waitFor('the last message', () => atSub.some((m) => text(m.data) === 'last'))
        assert.ok(seen.includes('R-no'), 'the validator saw the rejected message')
        assert.ok(!atSub.some((m) => text(m.data) === 'R-no'), 'and it was not delivered')
      } finally {
        await stopAll([pub!, sub!])
      }
    })

    test('a signature verifies under its signer\'s id only, and only for the signed bytes', { timeout: TEST_TIMEOUT_MS }, async () => {
      // Member records are relayed by others as proof (membership/trust.ts): anyone must be able
      // to check one from the signer's id alone, and no one else's id or bytes may pass.
      const a = await harness.create()
      const b = await harness.create()
      const data = bytes('record: a, incarnation 3')
      const signature = a.sign(data)
      assert.ok(signature.byteLength > 0 && signature.byteLength <= 128)
      assert.equal(b.verify(a.peerId, data, signature), true, 'anyone can check it from the id')
      assert.equal(a.verify(a.peerId, data, signature), true)
      assert.equal(b.verify(b.peerId, data, signature), false, 'not under another id')
      assert.equal(b.verify(a.peerId, bytes('record: a, incarnation 4'), signature), false, 'not for other bytes')
      const flipped = signature.slice()
      flipped[0] = flipped[0]! ^ 1
      assert.equal(b.verify(a.peerId, data, flipped), false, 'not with a changed signature')
      assert.equal(b.verify('not-a-peer-id', data, signature), false, 'never throws')
      assert.equal(b.verify(a.peerId, data, new Uint8Array(0)), false)
    })

    test('publish without any peer resolves', { timeout: TEST_TIMEOUT_MS }, async () => {
      const [alone] = await started(1)
      try {
        alone!.subscribe('/test/contract/lonely')
        await alone!.publish('/test/contract/lonely', bytes('anyone?'))
        await alone!.publish('/test/contract/nobody-subscribed', bytes('anyone?'))
      } finally {
        await alone!.stop()
      }
    })

    test('the validator sees every message with its true sender; reject and ignore stop delivery', { timeout: TEST_TIMEOUT_MS }, async () => {
      const [pub, sub] = await started(2)
      try {
        await link(pub!, sub!)
        const topic = '/test/contract/validated'
        const validated: TransportMessage[] = []
        sub!.setValidator((msg) => {
          validated.push(msg)
          const verdicts: Record<string, ValidationResult> = { R: 'reject', I: 'ignore' }
          return verdicts[text(msg.data)[0]!] ?? 'accept'
        })
        sub!.subscribe(topic)
        const atSub = inbox(sub!)
        await publishUntil(pub!, topic, 'warmup', () => atSub.length > 0)
        await pub!.publish(topic, bytes('R-rejected'))
        await pub!.publish(topic, bytes('I-ignored'))
        await pub!.publish(topic, bytes('after'))
        await waitFor('all three validated and the last delivered', () =>
          ['R-rejected', 'I-ignored', 'after'].every((s) => validated.some((m) => text(m.data) === s)) &&
          atSub.some((m) => text(m.data) === 'after'))
        assert.ok(validated.every((m) => m.from === pub!.peerId && m.topic === topic))
        assert.ok(!atSub.some((m) => /^[RI]-/.test(text(m.data))), 'rejected and ignored messages are not delivered')
      } finally {
        await stopAll([pub!, sub!])
      }
    })

    test('oversize messages are refused by the publisher and dropped by a stricter receiver', { timeout: TEST_TIMEOUT_MS }, async () => {
      const [pub] = await started(1, { messageBytesMax: 2 * MESSAGE_BYTES_MAX })
      const [sub] = await started(1)
      try {
        await link(pub!, sub!)
        const topic = '/test/contract/size'
        sub!.subscribe(topic)
        const atSub = inbox(sub!)
        await publishUntil(pub!, topic, 'warmup', () => atSub.length > 0)
        await assert.rejects(pub!.publish(topic, new Uint8Array(2 * MESSAGE_BYTES_MAX + 1)))
        // Within the publisher's limit but above the receiver's: the receiver drops it.
        await pub!.publish(topic, new Uint8Array(MESSAGE_BYTES_MAX + 1).fill(0x41))
        await pub!.publish(topic, bytes('after'))
        await waitFor('the message after', () => atSub.some((m) => text(m.data) === 'after'))
        assert.ok(atSub.every((m) => m.data.byteLength <= MESSAGE_BYTES_MAX))
      } finally {
        await stopAll([pub!, sub!])
      }
    })

    test('request/response round trip; a failing handler rejects the request, not the process', { timeout: TEST_TIMEOUT_MS }, async () => {
      const [client, server] = await started(2)
      try {
        server!.handle('/test/echo/1', async (from, request) => bytes(`${from}:${text(request)}`))
        server!.handle('/test/fail/1', async () => {
          throw new Error('handler bug')
        })
        server!.handle('/test/slow/1', () => new Promise(() => {}))
        await link(client!, server!)
        const response = await client!.request(server!.peerId, '/test/echo/1', bytes('ping'), 5000)
        assert.equal(text(response), `${client!.peerId}:ping`)
        await assert.rejects(client!.request(server!.peerId, '/test/fail/1', bytes('x'), 5000))
        await assert.rejects(client!.request(server!.peerId, '/test/unknown/1', bytes('x'), 5000))
        const started = performance.now()
        await assert.rejects(client!.request(server!.peerId, '/test/slow/1', bytes('x'), 300))
        assert.ok(performance.now() - started < 3000, 'the timeout bounds the wait')
        // Replacing a handler takes effect, and the server still serves after the failures.
        server!.handle('/test/echo/1', async (_from, request) => request)
        assert.deepEqual(await client!.request(server!.peerId, '/test/echo/1', new Uint8Array(0), 5000), new Uint8Array(0))
        const big = new Uint8Array(256 * 1024).fill(7)
        assert.deepEqual(await client!.request(server!.peerId, '/test/echo/1', big, 5000), big)
      } finally {
        await stopAll([client!, server!])
      }
    })

    test('probe: ok to a live peer, refused once it stopped', { timeout: TEST_TIMEOUT_MS }, async () => {
      const [a, b] = await started(2)
      try {
        await link(a!, b!)
        const live = await a!.probe(b!.peerId, 2000)
        assert.equal(live.ok, true)
        if (live.ok) assert.ok(live.rttMs >= 0 && live.rttMs < 2000)
        // Concurrent probes of one peer (libp2p's ping allows few streams per connection).
        const together = await Promise.all([1, 2, 3, 4, 5, 6].map(() => a!.probe(b!.peerId, 2000)))
        assert.ok(together.every((r) => r.ok), JSON.stringify(together))
        await b!.stop()
        await waitFor('the connection to close', () => !a!.connectedPeers().includes(b!.peerId))
        assert.deepEqual(await a!.probe(b!.peerId, 2000), { ok: false, reason: 'refused' })
      } finally {
        await stopAll([a!, b!])
      }
    })
  })
}

contractSuite(libp2pHarness())
contractSuite(memoryHarness())
