import { EventEmitter } from 'node:events'
import type { PeerState, Severity } from './domain/index.ts'

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

/**
 * The node's event emitter. A listener that throws is caught here, counted and reported, never
 * passed on: events are emitted from inside peer actors and view updates, and one subscriber's
 * bug must not fail the actor that emitted (nor the other subscribers). Listeners run
 * synchronously, in order, so the simulator's trace and the event log see events at the time
 * they happen; the embedding API additionally defers embedders' listeners (health-monitor.ts).
 */
export class HealthEventEmitter extends EventEmitter<HealthEvents> {
  /** Listener calls that threw. */
  listenerErrors = 0
  /** Told of each throwing listener (the node logs it). */
  onListenerError: ((event: HealthEventName, error: unknown) => void) | undefined

  override emit<K extends HealthEventName>(event: K, ...args: HealthEvents[K]): boolean {
    const listeners = this.rawListeners(event) as ((...a: unknown[]) => void)[]
    for (const listener of listeners) this.callListener(event, listener, args)
    return listeners.length > 0
  }

  /** Calls one listener; a throw is counted and reported, never passed on (also for deferred calls). */
  callListener(event: HealthEventName, listener: (...args: unknown[]) => void, args: readonly unknown[]): void {
    try {
      listener(...args)
    } catch (error) {
      this.listenerErrors++
      try { this.onListenerError?.(event, error) } catch { /* a failing reporter changes nothing */ }
    }
  }
}

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
