import { test, describe, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { systemClock } from '../../src/runtime/clock.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { createLibp2pTransport, type Libp2pTransport, type Libp2pTransportOptions } from '../../src/transport/libp2p-transport.ts'
import { encodeMessage } from '../../src/transport/codec.ts'
import { GOSSIP_SCORE_THRESHOLDS } from '../../src/transport/gossip-score.ts'
import { MessageValidator } from '../../src/transport/message-validator.ts'
import { generateClusterKey } from '../../src/transport/node-key.ts'
import { eventsTopic } from '../../src/transport/topics.ts'

/**
 * What only the libp2p transport does: the allow-list gater, the pnet cluster key, and probes
 * of a real process that is paused (SIGSTOP) and then killed. The contract suite covers the rest.
 */
const TEST_TIMEOUT_MS = 30_000
const live: Libp2pTransport[] = []
after(async () => {
  await Promise.all(live.map((n) => n.stop()))
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (!predicate()) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

async function node(options: Partial<Libp2pTransportOptions> = {}): Promise<Libp2pTransport> {
  const transport = await createLibp2pTransport({
    privateKey: await generateKeyPair('Ed25519'),
    listen: ['/ip4/127.0.0.1/tcp/0'],
    allowPeers: [],
    messageBytesMax: 4096,
    inboundConnectionsPerHostPerSecondMax: 10_000,
    gossipIpColocationPenalty: false,
    clock: systemClock(),
    logger: silentLogger(),
    ...options
  })
  live.push(transport)
  await transport.start()
  return transport
}

/** True once `a` has no connection to `b` and stays so for a moment (a gated connection may open briefly). */
async function notConnected(a: Libp2pTransport, b: Libp2pTransport): Promise<boolean> {
  await waitFor('no connection', () => !a.connectedPeers().includes(b.peerId) && !b.connectedPeers().includes(a.peerId))
  await sleep(200)
  return !a.connectedPeers().includes(b.peerId) && !b.connectedPeers().includes(a.peerId)
}

describe('libp2p transport', () => {
  test('relay: false: a subscriber reached only through a relay gets nothing; a normal one gets the relayed copy', { timeout: TEST_TIMEOUT_MS }, async () => {
    // a - b - c and a - b - d: c and d are connected to b only, b relays the topic normally.
    const [a, b, c, d] = [await node(), await node(), await node(), await node()]
    for (const far of [a, c, d]) await far.dial(b.listenAddresses()[0]!)
    const topic = '/test/relay'
    const at = (t: Libp2pTransport) => {
      const got: string[] = []
      t.onMessage((m) => got.push(new TextDecoder().decode(m.data)))
      return got
    }
    const [atB, atC, atD] = [at(b), at(c), at(d)]
    b.subscribe(topic)
    c.subscribe(topic, { relay: false })
    d.subscribe(topic)
    for (let i = 0; i < 100 && atD.length === 0; i++) {
      await a.publish(topic, new TextEncoder().encode(`m-${i}`))
      await sleep(50)
    }
    assert.ok(atB.length > 0 && atD.length > 0, 'b got it directly, d through b')
    await sleep(300)
    assert.deepEqual(atC, [], 'the direct-only subscriber never takes a relayed copy')
  })

  test('allowPeers: only listed peers connect, in either direction', { timeout: TEST_TIMEOUT_MS }, async () => {
    const friend = await node()
    const stranger = await node()
    const gated = await node({ allowPeers: [friend.peerId] })
    assert.equal(await friend.dial(gated.listenAddresses()[0]!), gated.peerId)
    await stranger.dial(gated.listenAddresses()[0]!).catch(() => undefined)
    assert.ok(await notConnected(stranger, gated), 'inbound stranger refused')
    await assert.rejects(gated.dial(stranger.listenAddresses()[0]!))
    assert.ok(await notConnected(gated, stranger), 'outbound stranger refused')
    assert.ok(gated.connectedPeers().includes(friend.peerId))
  })

  test('clusterKey: only nodes holding the same pre-shared key connect', { timeout: TEST_TIMEOUT_MS }, async () => {
    const key = generateClusterKey()
    const a = await node({ clusterKey: key })
    const b = await node({ clusterKey: key })
    const other = await node({ clusterKey: generateClusterKey() })
    const open = await node()
    assert.equal(await b.dial(a.listenAddresses()[0]!), a.peerId)
    // A wrong or missing key often shows up only as garbage in the noise handshake, which then
    // waits for the rest of a message until libp2p's 6 s per-address dial timeout: dial both at once.
    await Promise.all([
      assert.rejects(other.dial(a.listenAddresses()[0]!)),
      assert.rejects(open.dial(a.listenAddresses()[0]!))
    ])
    assert.ok(await notConnected(other, a))
    assert.ok(await notConnected(open, a))
  })

  test('peer scoring: a member forwarding invalid messages is graylisted (then nothing of it is taken, valid or not); an honest member\'s score stays >= 0', { timeout: TEST_TIMEOUT_MS }, async () => {
    const cluster = 'c1'
    const [victim, honest, mallory] = [await node(), await node(), await node()]
    const validator = new MessageValidator({ cluster, messageBytesMax: 4096, sendersMax: 100 })
    victim.setValidator(validator.validate)
    const events = eventsTopic(cluster)
    const got: string[] = []
    victim.onMessage((m) => got.push(m.from))
    for (const t of [victim, honest, mallory]) t.subscribe(events)
    for (const t of [honest, mallory]) await t.dial(victim.listenAddresses()[0]!)
    let seq = 0
    const valid = (from: Libp2pTransport) => encodeMessage({ type: 'leave', cluster, sender: from.peerId, incarnation: 1, seq: seq++ })
    // The honest member's messages arrive (the mesh is up) before anything is measured.
    for (let i = 0; i < 100 && !got.includes(honest.peerId); i++) {
      await honest.publish(events, valid(honest))
      await sleep(100)
    }
    assert.ok(got.includes(honest.peerId), 'the mesh is up')
    // Forged (another's name), from the wrong cluster, malformed: each rejected by every honest validator.
    const invalid = [
      encodeMessage({ type: 'leave', cluster, sender: honest.peerId, incarnation: 1, seq: 1 }),
      encodeMessage({ type: 'leave', cluster: 'elsewhere', sender: mallory.peerId, incarnation: 1, seq: 2 }),
      new Uint8Array([1, 2, 3, 4])
    ]
    for (const bytes of invalid) await mallory.publish(events, bytes)
    await waitFor('mallory graylisted', () => victim.peerScore(mallory.peerId) < GOSSIP_SCORE_THRESHOLDS.graylistThreshold, 10_000)
    assert.ok(validator.dropped['sender-mismatch'] >= 1 && validator.dropped.cluster >= 1 && validator.dropped.malformed >= 1)
    assert.equal(victim.stats().peersGraylisted, 1)
    // Graylisted: its RPCs are ignored whole, so even a valid message of its own is not taken.
    const before = got.length
    for (let i = 0; i < 5; i++) {
      await mallory.publish(events, valid(mallory))
      await honest.publish(events, valid(honest))
      await sleep(100)
    }
    await waitFor('the honest member\'s later messages', () => got.slice(before).filter((p) => p === honest.peerId).length === 5)
    assert.ok(!got.includes(mallory.peerId), 'nothing from mallory delivered')
    assert.ok(victim.peerScore(honest.peerId) >= 0, `honest score ${victim.peerScore(honest.peerId)}`)
    assert.ok(honest.peerScore(victim.peerId) >= 0, 'and the victim\'s at the honest member')
  })

  describe('probe of a real process', () => {
    let child: ChildProcess | undefined
    after(() => {
      child?.kill('SIGKILL')
    })

    test('timeout while paused (SIGSTOP) without losing the connection, ok after SIGCONT, refused once killed', { timeout: TEST_TIMEOUT_MS }, async () => {
      // A separate process running one transport, which prints its peer id and addresses.
      const source = `
        import { generateKeyPair } from '@libp2p/crypto/keys'
        import { systemClock } from './src/runtime/clock.ts'
        import { silentLogger } from './src/runtime/logger.ts'
        import { createLibp2pTransport } from './src/transport/libp2p-transport.ts'
        const t = await createLibp2pTransport({ privateKey: await generateKeyPair('Ed25519'), listen: ['/ip4/127.0.0.1/tcp/0'],
          allowPeers: [], messageBytesMax: 4096, inboundConnectionsPerHostPerSecondMax: 10000, gossipIpColocationPenalty: false,
          clock: systemClock(), logger: silentLogger() })
        await t.start()
        console.log(JSON.stringify({ id: t.peerId, addresses: t.listenAddresses() }))
        setInterval(() => {}, 1000)
      `
      const proc = spawn(process.execPath, ['--input-type=module', '-e', source], {
        cwd: new URL('../..', import.meta.url), stdio: ['ignore', 'pipe', 'inherit']
      })
      child = proc
      const firstLine = await new Promise<string>((resolve, reject) => {
        createInterface({ input: proc.stdout! }).once('line', resolve)
        proc.once('exit', (code) => reject(new Error(`child exited with ${code}`)))
      })
      const remote = JSON.parse(firstLine) as { id: string; addresses: string[] }

      const a = await node()
      assert.equal(await a.dial(remote.addresses[0]!), remote.id)
      assert.equal((await a.probe(remote.id, 2000)).ok, true)

      proc.kill('SIGSTOP')
      try {
        assert.deepEqual(await a.probe(remote.id, 500), { ok: false, reason: 'timeout' })
        // A node that was not connected yet: the kernel accepts the TCP connection, nobody answers
        // the handshake. (connect() stores the addresses; its dial hangs until SIGCONT.)
        const b = await node()
        const dialling = b.connect(remote.id, remote.addresses).catch(() => undefined)
        assert.deepEqual(await b.probe(remote.id, 500), { ok: false, reason: 'timeout' })
        void dialling
        await sleep(1000)
        assert.ok(a.connectedPeers().includes(remote.id), 'a paused peer keeps its connection')
      } finally {
        proc.kill('SIGCONT')
      }
      assert.equal((await a.probe(remote.id, 5000)).ok, true)

      proc.kill('SIGKILL')
      await waitFor('the connection to drop', () => !a.connectedPeers().includes(remote.id))
      assert.deepEqual(await a.probe(remote.id, 2000), { ok: false, reason: 'refused' })
    })
  })
})
