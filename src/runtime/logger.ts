import { pino, type Logger } from 'pino'
import { PinoPretty } from 'pino-pretty'

export type { Logger }

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

export interface LoggerOptions {
  level: LogLevel
  name?: string
  /** File descriptor to write to; stderr by default (stdout stays free for command output). */
  destination?: number
  /**
   * Human-readable lines (pino-pretty, in-process, no worker thread) instead of JSON. The agent
   * turns it on when stderr is a terminal: a person reads it; JSON goes to journald and files.
   */
  pretty?: boolean
}

/** The agent's logger. pino's timestamps are wall-clock time, which an operator correlating logs wants. */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? 2
  const stream = options.pretty === true
    ? PinoPretty({ destination, sync: true, colorize: process.env['NO_COLOR'] === undefined || process.env['NO_COLOR'] === '', ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss.l' })
    // Synchronous: an agent logs a few lines a minute, and a line written before a crash or
    // before the CLI's final error line must come out, and in order.
    : pino.destination({ dest: destination, sync: true })
  return pino({ level: options.level, name: options.name ?? 'healthmon', base: { pid: process.pid } }, stream)
}

/** Whether stderr is a terminal (the agent's choice of pretty logs). */
export function stderrIsTerminal(): boolean {
  return process.stderr.isTTY === true
}

/** A logger that drops everything: the embedding API's default, tests and the simulator. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' })
}
