/**
 * transport: how agents talk to each other. One contract (types.ts) with two implementations:
 * libp2p (TCP + noise + yamux + gossipsub + ping) for the agent, and an in-memory network for unit
 * tests and the simulator; the same contract tests run against both. Also here: the wire codec,
 * the gossip topic names, the node key (the peer id's persistence), the pnet cluster key, and the
 * parsing of --join addresses. Depends on runtime/ only.
 *
 * Importing this index loads libp2p (~60 MB of RSS); code that needs only the in-memory network
 * (the simulator, unit tests) can import ./memory-transport.ts directly.
 */
export type {
  Transport, TransportEvents, TransportMessage, MessageValidator, ValidationResult, ProbeResult, RequestHandler
} from './types.ts'
export { PROTOCOL_PREFIX, SYNC_PROTOCOL, heartbeatTopic, heartbeatTopicPrefix, isHeartbeatTopicOf, eventsTopic } from './topics.ts'
export {
  WIRE_VERSION, WIRE_LIMITS, MESSAGE_TAGS, NODE_STATUSES, MEMBER_STATES, encodeMessage, decodeMessage,
  type MessageType, type NodeStatus, type VerdictState, type MemberState, type HealthSummary, type WireMessage,
  type HeartbeatMessage, type JoinMessage, type LeaveMessage, type VerdictMessage, type DigestMessage, type ChecksumMessage,
  type MemberDigestEntry, type DecodeFailure, type DecodeResult
} from './codec.ts'
export { createLibp2pTransport, Libp2pTransport, type Libp2pTransportOptions, type Libp2pTransportStats } from './libp2p-transport.ts'
export { FRAME_BYTES_MAX } from './libp2p-streams.ts'
export {
  MemoryNetwork, MemoryTransport, PERFECT_LINKS, MEMORY_FRAME_BYTES_MAX, MEMORY_DIAL_TIMEOUT_MS,
  type LinkModel, type LinkDecision, type MemoryNetworkStats
} from './memory-transport.ts'
export { loadOrCreateNodeKey, loadClusterKey, generateClusterKey, NODE_KEY_FILE } from './node-key.ts'
export { parseJoinAddress, type JoinAddress } from './join-address.ts'
