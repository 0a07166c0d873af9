/**
 * Gossip topic names. Each node publishes heartbeats on its own topic so that only its observers
 * receive them (about k per node per interval, whatever the cluster size); verdicts, joins and
 * leaves go on one cluster-wide events topic.
 */
export const PROTOCOL_PREFIX = '/healthmon/1'

export function heartbeatTopic(cluster: string, peerId: string): string {
  return `${PROTOCOL_PREFIX}/${cluster}/hb/${peerId}`
}

export function eventsTopic(cluster: string): string {
  return `${PROTOCOL_PREFIX}/${cluster}/events`
}

/** The peer id a heartbeat topic belongs to, or undefined for any other topic. */
export function heartbeatTopicOwner(cluster: string, topic: string): string | undefined {
  const prefix = `${PROTOCOL_PREFIX}/${cluster}/hb/`
  return topic.startsWith(prefix) ? topic.slice(prefix.length) : undefined
}

/** Request/response protocol for the anti-entropy member exchange. */
export const SYNC_PROTOCOL = `${PROTOCOL_PREFIX}/sync`
