/**
 * `healthmon watch`: follows GET /v1/events/stream until interrupted, printing each event as a
 * readable line (or each NDJSON line exactly as received, heartbeats included, with --json).
 * Ctrl-C (SIGINT) or SIGTERM ends it with exit 0. If the agent ends the stream (it is stopping,
 * or this client read too slowly) or goes away, the reason goes to stderr and the exit is 1.
 */
import { Command } from 'commander'
import { ApiClient } from '../../api/client.ts'
import { HealthmonError, type ErrorCode } from '../../errors.ts'
import { API_PATHS, withQuery, type AlertEvent, type EventEntry, type PeerEvent, type StreamLine } from '../../api/protocol.ts'
import { colorEnabled, paint, sanitize, stateStyle } from '../format.ts'
import { severityStyle } from './alerts.ts'
import { socketPathFrom, withClientOptions, type ClientOptions } from './common.ts'

interface WatchOptions extends ClientOptions {
  after?: string
}

/** Nothing at all (not even a heartbeat, every 10 s by default) for this long: the agent is gone. */
const SILENCE_MS_MAX = 60_000

function isPeerEvent(data: EventEntry['data']): data is PeerEvent {
  return 'from' in data && 'to' in data
}

/** One readable line for an event: time, id, type, then what happened. */
export function renderEvent(event: EventEntry, color: boolean): string {
  const head = `${sanitize(event.at)}  #${event.id}  ${paint(event.type, 'bold', color)}`
  const data = event.data
  if (isPeerEvent(data)) {
    const who = data.observedBySelf ? '' : ' (from observers\' reports)'
    return `${head}  ${paint(data.name, undefined, color)}  ${sanitize(data.from)} -> ${paint(data.to, stateStyle(data.to), color)}  ${sanitize(data.reason)}${who}\n`
  }
  const alert = data as AlertEvent
  return `${head}  ${paint(alert.severity, severityStyle(alert.severity), color)}  ${paint(alert.message, undefined, color)}\n`
}

export function watchCommand(): Command {
  return withClientOptions(new Command('watch'))
    .description("follow this node's events as they happen (peer state changes, alerts) until interrupted")
    .option('--after <id>', 'first replay the logged events after this event id (0: all still held)')
    .addHelpText('after', `
With --json, prints every line of GET /v1/events/stream exactly as received
(NDJSON: events {"id","type","at","data"}, idle {"type":"heartbeat"} lines).
Exit status: 0 when interrupted (Ctrl-C); 1 when the agent cannot be reached or
ends the stream (it is stopping); 2 on a usage error.`)
    .action(async (options: WatchOptions) => {
      const color = colorEnabled()
      const controller = new AbortController()
      const stop = (): void => controller.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      let ended: { code: string; message: string } | undefined
      try {
        await new ApiClient(socketPathFrom(options)).stream(withQuery(API_PATHS.eventStream, { after: options.after }), (line: StreamLine) => {
          if (options.json === true) process.stdout.write(`${JSON.stringify(line)}\n`)
          else if ('id' in line) process.stdout.write(renderEvent(line, color))
          if (line.type === 'error') ended = line.error
        }, { signal: controller.signal, idleTimeoutMs: SILENCE_MS_MAX })
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
      }
      if (controller.signal.aborted) return
      const code = (ended?.code ?? 'UNAVAILABLE') as ErrorCode
      throw new HealthmonError(code, `the agent ended the event stream: ${ended?.message ?? 'no reason given'}`)
    })
}
