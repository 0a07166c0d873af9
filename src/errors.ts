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
  CLUSTER_KEY_REQUIRED: 'the agent would listen beyond loopback without a cluster key; create one with `healthmon keygen FILE` and set clusterKeyFile, or set allowOpenCluster: true',
  HTTP_TOKEN_REQUIRED: 'the HTTP listener (httpListen) would bind beyond loopback without a bearer token; set httpTokenFile, or httpAllowUnauthenticated: true on a trusted network',
  UNAUTHORIZED: 'the HTTP listener requires a bearer token (Authorization: Bearer TOKEN) and none or a wrong one was sent',
  LISTEN_FAILED: 'the agent could not listen on a --listen address (port in use, address not on this host, or not a multiaddr)',
  MESSAGE_INVALID: 'a wire message failed decoding or validation',
  MAILBOX_FULL: 'an actor mailbox was full and the message was dropped',
  PEER_NOT_FOUND: 'no peer with that id or name is known',
  CHECK_NOT_FOUND: 'no check with that id is configured',
  CHECK_NOT_TTL: 'the check is not a TTL check, so it takes no check-ins',
  BAD_REQUEST: 'the request was malformed',
  NOT_FOUND: 'no such path',
  METHOD_NOT_ALLOWED: 'the path exists but not for this method',
  ADMIN_SOCKET_REQUIRED: 'the request changes state and is served only on the admin socket (adminSocket, mode 0600: the agent\'s user and root)',
  SOCKET_DIR_UNSAFE: 'the socket\'s directory is writable by others (world-writable without the sticky bit, or owned by another non-root user), so the socket could be replaced; fix its owner or mode',
  PAYLOAD_TOO_LARGE: 'the request body exceeded the limit',
  TOO_MANY_REQUESTS: 'the connection or request limit was reached',
  UNAVAILABLE: 'the agent is starting or stopping, or its state could not be read',
  SLOW_CONSUMER: 'an event stream client read too slowly and was disconnected; reconnect with ?after= the last id received',
  SILENCE_INVALID: 'a silence was malformed (matchers, times, createdBy or comment); the message says which',
  SILENCES_FULL: 'the silence limit (silencesMax) was reached; expire some first',
  SILENCE_NOT_FOUND: 'no live silence with that id',
  MEMBER_ALIVE: 'force-leave refused: the member is not dead in this node\'s view (only failed members can be forced out)',
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

/** One broken rule: the dotted option path, what it must be, and where the value came from. */
export interface ConfigProblem {
  key: string
  rule: string
  /** e.g. `--heartbeat-interval-ms`, `HEALTHMON_JOIN`, `config file /etc/healthmon.yaml`. */
  source?: string
  /** A more specific code than CONFIG_INVALID (JOIN_ADDRESS_INVALID, CLUSTER_KEY_REQUIRED). */
  code?: ErrorCode
}

function describeProblem(p: ConfigProblem): string {
  return `${p.key}: ${p.rule}${p.source === undefined ? '' : ` (from ${p.source})`}`
}

/**
 * Configuration broke one or more rules. `key` and `rule` are the first problem's; `problems`
 * lists every one, so an operator fixes them all in one go. The code is the problems' own when
 * they share one (e.g. JOIN_ADDRESS_INVALID), else CONFIG_INVALID.
 */
export class ConfigError extends HealthmonError {
  readonly key: string
  readonly rule: string
  readonly problems: readonly ConfigProblem[]
  constructor(key: string, rule: string, source?: string) {
    super('CONFIG_INVALID', `invalid config: ${describeProblem({ key, rule, source })}`)
    this.name = 'ConfigError'
    this.key = key
    this.rule = rule
    this.problems = [{ key, rule, source }]
  }

  /** One error for all `problems` (at least one). */
  static of(problems: readonly ConfigProblem[]): ConfigError {
    const [first, ...rest] = problems
    if (first === undefined) throw new Error('ConfigError.of needs at least one problem')
    const error = new ConfigError(first.key, first.rule, first.source)
    const codes = new Set(problems.map((p) => p.code ?? 'CONFIG_INVALID'))
    const code = codes.size === 1 ? [...codes][0]! : 'CONFIG_INVALID'
    const text = rest.length === 0 ? describeProblem(first) : `${problems.length} problems: ${problems.map(describeProblem).join('; ')}`
    Object.defineProperty(error, 'code', { value: code })
    Object.defineProperty(error, 'problems', { value: problems })
    error.message = `invalid config: ${text}`
    return error
  }
}
