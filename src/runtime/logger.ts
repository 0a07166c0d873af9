import { pino, type Logger } from 'pino'

export type { Logger }

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

/**
 * The agent's logger: pino JSON lines on stderr (stdout stays free for command output). pino's
 * own timestamps are wall-clock time, which is what an operator correlating logs wants.
 */
export function createLogger(options: { level: LogLevel; name?: string; destination?: number }): Logger {
  return pino(
    { level: options.level, name: options.name ?? 'healthmon', base: { pid: process.pid } },
    pino.destination({ dest: options.destination ?? 2, sync: false })
  )
}

/** A logger that drops everything, for tests and the simulator. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
