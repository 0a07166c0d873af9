/**
 * The domain types: what the core (detector, view, alerts, node, events) produces and the API
 * serializes. They sit below every other module but transport's wire types (NodeStatus), so
 * that the API depends on the core and never the reverse. src/api/protocol.ts re-exports them
 * for clients.
 */
export { PEER_STATES, type PeerState, type PeerView, type PeerSummary, type PeerHistoryEntry, type PeerDetail } from './peer.ts'
export { SEVERITIES, type Severity } from './severity.ts'
export type { TrendPoint, TrendHeading, PeerTrend } from './trend.ts'
export type { DiskUsage, SelfResources, SelfView, JoinStatus, ClusterView } from './self-view.ts'
export type { AlertEntry } from './alert-entry.ts'
