import { EventEmitter } from 'node:events'
import type { PeerState, Severity } from './api/protocol.ts'

/**
 * The one typed event map (names are `noun:verb`, as in js-libp2p). The same stream feeds the
 * library API's subscribers, the alert log, the socket API's watch stream and the simulator's
 * trace.
 */
export interface PeerEvent {
  peer: string
  name: string
  from: PeerState
  to: PeerState
  incarnation: number
  reason: string
  /** Whether this node's own detector made the call (false: combined from observers' reports). */
  observedBySelf: boolean
  /** Epoch milliseconds (from the injected clock). */
  atMs: number
}

export interface AlertEvent {
  id: number
  severity: Severity
  peer: string
  message: string
  atMs: number
}

export interface HealthEvents {
  'peer:joined': [PeerEvent]
  'peer:suspected': [PeerEvent]
  'peer:dead': [PeerEvent]
  'peer:recovered': [PeerEvent]
  'peer:left': [PeerEvent]
  'peer:missing': [PeerEvent]
  'alert:raised': [AlertEvent]
}

export type HealthEventName = keyof HealthEvents

export class HealthEventEmitter extends EventEmitter<HealthEvents> {}

/** The event a view state change is announced as. */
export function eventNameFor(from: PeerState, to: PeerState): keyof HealthEvents {
  switch (to) {
    case 'suspect': return 'peer:suspected'
    case 'dead': return 'peer:dead'
    case 'left': return 'peer:left'
    case 'missing': return 'peer:missing'
    case 'alive': return from === 'missing' ? 'peer:joined' : 'peer:recovered'
  }
}
