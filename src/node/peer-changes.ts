import type { AlertLog } from '../alerts/alert-log.ts'
import type { EventLog } from '../event-log.ts'
import { eventNameFor, type HealthEventEmitter, type PeerEvent } from '../events.ts'
import type { Logger } from '../runtime/logger.ts'

/**
 * What a change of a peer's state in the local view produces: its event (`peer:joined`,
 * `peer:dead`, ...) in the event log and to listeners, and, except for a first sighting, an
 * entry in the alert log announced as `alert:raised`.
 */
export function recordPeerChange(sinks: { eventLog: EventLog; events: HealthEventEmitter; alertLog: AlertLog }, logger: Logger, e: PeerEvent): void {
  const name = eventNameFor(e.from, e.to)
  sinks.eventLog.append(name, e.atMs, e)
  sinks.events.emit(name, e)
  if (e.from === 'missing' && e.to === 'alive') return
  const entry = sinks.alertLog.add({ at: new Date(e.atMs).toISOString(), peer: e.peer, peerName: e.name, from: e.from, to: e.to, message: `${e.name} is ${e.to}: ${e.reason}` })
  const alert = { id: entry.id, severity: entry.severity, peer: e.peer, message: entry.message, atMs: e.atMs }
  sinks.eventLog.append('alert:raised', e.atMs, alert)
  sinks.events.emit('alert:raised', alert)
  logger.info({ peer: e.peer, peerName: e.name, from: e.from, to: e.to, reason: e.reason }, 'peer state changed')
}
