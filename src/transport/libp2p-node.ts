import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify, type Identify } from '@libp2p/identify'
import { ping, type Ping } from '@libp2p/ping'
import { preSharedKey } from '@libp2p/pnet'
import { gossipsub, StrictSign, type GossipSub } from '@libp2p/gossipsub'
import type { ConnectionGater, Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import { GOSSIP_SCORE_THRESHOLDS, gossipScoreParams } from './gossip-score.ts'
import type { GossipsubRejects } from './gossipsub-rejects.ts'

/**
 * The libp2p node the agent's transport drives (libp2p-transport.ts): TCP, noise (encryption,
 * authenticated peer ids), yamux (stream multiplexing), identify, ping, and gossipsub, each
 * configured for a failure detector. Built here, not started.
 */
export type Libp2pServices = { identify: Identify; ping: Ping; pubsub: GossipSub }

export interface Libp2pNodeOptions {
  /** The node key; the peer id derives from it (see node-key.ts). */
  privateKey: PrivateKey
  /** Multiaddrs to listen on, e.g. /ip4/0.0.0.0/tcp/7946; port 0 picks a free port. */
  listen: string[]
  /** Contents of a pnet pre-shared key file; when set, only holders of the same key can connect. */
  clusterKey?: Uint8Array
  /** When non-empty, connections to or from any other peer id are refused (both directions). */
  allowPeers: string[]
  /** Largest gossip message payload accepted or published. */
  messageBytesMax: number
  /** libp2p's per-host inbound connection rate limit (connections per second). */
  inboundConnectionsPerHostPerSecondMax: number
  /** Whether gossipsub's IP-colocation score penalty applies (off for loopback clusters). */
  gossipIpColocationPenalty: boolean
}

/**
 * Gossipsub's RPC frame limit. A frame can carry several messages (an IWANT reply) plus control
 * messages, and a frame over the limit breaks the whole inbound stream, so the limit on one
 * message (messageBytesMax) is enforced per message in the validator instead, and the frame
 * limit only bounds memory: room for 16 maximal messages, never below libp2p's 4 MiB default.
 */
const rpcBytesMax = (messageBytesMax: number): number => Math.max(4 * 1024 * 1024, 16 * messageBytesMax)

/**
 * Gossipsub's fast message id: sender + sequence number, which is also what the full id is
 * under StrictSign. With it, a duplicate copy is dropped before its signature is verified
 * (~18 % less CPU, DESIGN §5); a forged copy cannot poison the cache because an id is only
 * cached once its message has passed signature verification.
 */
function fastMsgId(msg: { from?: Uint8Array; seqno?: Uint8Array }): string {
  const hex = (b: Uint8Array | undefined): string => (b === undefined ? '' : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex'))
  return `${hex(msg.from)}/${hex(msg.seqno)}`
}

function allowListGater(allowPeers: readonly string[]): ConnectionGater {
  if (allowPeers.length === 0) return {}
  const allowed = new Set(allowPeers)
  const deny = (peer: PeerId): boolean => !allowed.has(peer.toString())
  // Checked before dialling out, and on both sides once the noise handshake has authenticated
  // the remote's peer id (the earliest point an inbound peer's id is known).
  return { denyDialPeer: deny, denyInboundEncryptedConnection: deny, denyOutboundEncryptedConnection: deny }
}

/** The libp2p node, not started; gossipsub reports its own drops to `gossipsubRejects`. */
export async function createLibp2pNode(options: Libp2pNodeOptions, gossipsubRejects: GossipsubRejects): Promise<Libp2p<Libp2pServices>> {
  return createLibp2p<Libp2pServices>({
    start: false,
    privateKey: options.privateKey,
    addresses: { listen: options.listen },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    ...(options.clusterKey === undefined ? {} : { connectionProtector: preSharedKey({ psk: options.clusterKey }) }),
    connectionGater: allowListGater(options.allowPeers),
    connectionManager: {
      // libp2p refuses more than 5 inbound connections per second from one host by default.
      // Every agent of a loopback cluster is the same host, so a cluster start or a partition
      // heal would be refused; the option (raised by the local-test profile) sets the limit.
      inboundConnectionThreshold: options.inboundConnectionsPerHostPerSecondMax
    },
    connectionMonitor: {
      // Off. The monitor opens a ping stream on every connection every 10 s and aborts the
      // connection when a ping fails (5 s floor): a peer paused a few seconds lost every
      // connection, under overload whole clusters tore themselves down (DESIGN §5), and the
      // stream churn alone cost a 10-node agent ~0.5 % of a core (a quarter of its idle CPU,
      // measured with scripts/bench-detect.ts). Liveness is the failure detector's job, on
      // heartbeats with phi accrual and direct probes. A connection whose host vanished without
      // a FIN is still found: yamux pings every connection every 30 s at the frame level, and
      // a write to a dead host fails once TCP gives up.
      enabled: false
    },
    services: {
      identify: identify(),
      // The ping spec allows one outbound and two inbound ping streams per connection: a probe
      // stuck on a paused peer made the next one fail with TooManyOutboundProtocolStreamsError.
      // Room for a few concurrent pings removes that; probe() also retries such failures.
      ping: ping({ maxOutboundStreams: 4, maxInboundStreams: 8 }),
      pubsub: gossipsub({
        // Every message signed and checked: StrictNoSign would let any member forge another's heartbeat.
        globalSignaturePolicy: StrictSign,
        fastMsgIdFn: fastMsgId,
        // Its only report of the messages it drops itself (bad signatures...): counted, see gossipsub-rejects.ts.
        metricsRegister: gossipsubRejects.register,
        metricsTopicStrToLabel: new Map(),
        // The first node of a cluster has no peers; without this every publish throws.
        allowPublishToZeroTopicPeers: true,
        // Every agent speaks gossipsub; advertising floodsub too only widens the attack surface.
        fallbackToFloodsub: false,
        maxInboundDataLength: rpcBytesMax(options.messageBytesMax),
        // maxOutboundBufferSize stays unset on purpose: when a peer stops reading (paused), a
        // full buffer would abort gossipsub's only outbound stream to it, and gossipsub opens a
        // new one only on a new connection, so a peer back from a pause would never hear from us
        // again. Heartbeat traffic queued for a stalled peer is a few KiB/s, and the connection
        // monitor reaps a peer that stays stalled.
        // Peers forwarding invalid messages lose gossip, then publishes, then are graylisted;
        // the topic parameters are installed by the transport (libp2p-transport.ts, gossip-score.ts).
        scoreParams: gossipScoreParams(options.gossipIpColocationPenalty),
        scoreThresholds: GOSSIP_SCORE_THRESHOLDS
      })
    }
  })
}
