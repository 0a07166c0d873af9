/**
 * Gossip topic names. Each node publishes heartbeats on its own topic so that only its observers
 * receive them (about k per node per interval, whatever the cluster size); verdicts, joins and
 * leaves go on one cluster-wide events topic.
 */
export const PROTOCOL_PREFIX = '/healthmon/1'

export function heartbeatTopic(cluster: string, peerId: string): string {
  return `${heartbeatTopicPrefix(cluster)}${peerId}`
}

export function eventsTopic(cluster: string): string {
  return `${PROTOCOL_PREFIX}/${cluster}/events`
}

/** What every heartbeat topic of `cluster` starts with (heartbeatTopic without the peer id). */
export function heartbeatTopicPrefix(cluster: string): string {
  return `${PROTOCOL_PREFIX}/${cluster}/hb/`
}

/**
 * Whether `topic` is `peerId`'s heartbeat topic, given heartbeatTopicPrefix(cluster): compared in
 * place, since the validator asks it of every heartbeat received and a slice was a string made
 * per message.
 */
export function isHeartbeatTopicOf(topic: string, prefix: string, peerId: string): boolean {
  return topic.length === prefix.length + peerId.length && topic.startsWith(prefix) && topic.endsWith(peerId)
}

/** Request/response protocol for the anti-entropy member exchange. */
export const SYNC_PROTOCOL = `${PROTOCOL_PREFIX}/sync`
