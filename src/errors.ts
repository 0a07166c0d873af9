/**
 * One registry of coded errors (the Fastify habit). Each condition has one class with a stable
 * `code`; tests and API clients match on the code, never on the message. The catalogue in
 * src/ERRORS.md is checked against ERROR_CODES by a test.
 */
export const ERROR_CODES = {
  CONFIG_INVALID: 'a configuration value broke a rule; the message names the key and the rule',
  CONFIG_FILE_UNREADABLE: 'the --config file could not be read or parsed',
  SOCKET_IN_USE: 'another agent is already serving on the socket path',
  AGENT_UNREACHABLE: 'no agent answered on the socket path',
  NOT_STARTED: 'the monitor was used before start() resolved',
  JOIN_ADDRESS_INVALID: 'a --join address is neither a multiaddr nor host:port',
  MESSAGE_INVALID: 'a wire message failed decoding or validation',
  MAILBOX_FULL: 'an actor mailbox was full and the message was dropped',
  PEER_NOT_FOUND: 'no peer with that id or name is known',
  BAD_REQUEST: 'the request was malformed',
  NOT_FOUND: 'no such path',
  METHOD_NOT_ALLOWED: 'the path exists but not for this method',
  PAYLOAD_TOO_LARGE: 'the request body exceeded the limit',
  TOO_MANY_REQUESTS: 'the connection or request limit was reached',
  UNAVAILABLE: 'the agent is starting or stopping, or its state could not be read',
  SLOW_CONSUMER: 'an event stream client read too slowly and was disconnected; reconnect with ?after= the last id received',
  METRIC_NOT_FOUND: 'no history is kept for a metric of that name',
  STORE_UNAVAILABLE: 'the SQLite database in the data dir could not be opened, migrated or written',
  STORE_SCHEMA_NEWER: 'the database was written by a newer healthmon (more schema migrations than this agent knows)'
} as const

export type ErrorCode = keyof typeof ERROR_CODES

export class HealthmonError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = 'HealthmonError'
  }
}

/** A configuration value broke a rule. `key` is the dotted option path, `rule` what it must be. */
export class ConfigError extends HealthmonError {
  readonly key: string
  readonly rule: string
  constructor(key: string, rule: string, source?: string) {
    super('CONFIG_INVALID', `invalid config: ${key}: ${rule}${source === undefined ? '' : ` (from ${source})`}`)
    this.name = 'ConfigError'
    this.key = key
    this.rule = rule
  }
}
