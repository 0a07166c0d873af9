import type { PeerState } from './peer.ts'
import type { Severity } from './severity.ts'

/** One entry of the node's peer-state alert log (the embedding API's checkHealth; the event log's alert:raised). */
export interface AlertEntry {
  id: number
  at: string
  severity: Severity
  peer: string
  peerName: string
  from: PeerState
  to: PeerState
  message: string
}
