import { readFileSync } from 'node:fs'
import { multiaddr } from '@multiformats/multiaddr'
import { parse as parseYaml } from 'yaml'
import { ConfigError, HealthmonError, type ConfigProblem } from '../errors.ts'
import { parseJoinAddress } from '../transport/join-address.ts'
import { defaultConfig, PROFILES } from './profiles.ts'
import { configSchema, type Config, type ConfigInput } from './schema.ts'
import { entryName, formatKeyPath } from './key-path.ts'
import { currentPathEnv, defaultAdminSocketPath, defaultDataDir, defaultSocketPath, type PathEnv } from './paths.ts'
import { closestName } from './suggest.ts'
import { listensBeyondLoopback } from './loopback.ts'
import { effectiveRules } from '../alerts/builtin-rules.ts'
import { compileInhibitRule } from '../alerts/inhibition.ts'
import { checkHttpListen } from './http-listen.ts'

export interface ConfigSources {
  /** Values from command-line flags or the embedding API (highest precedence). */
  flags?: ConfigInput
  /** How errors name a flag's source: `cli` gives `--heartbeat-interval-ms`, `api` the option name. */
  flagStyle?: 'cli' | 'api'
  /** Environment to read HEALTHMON_* from; defaults to process.env. */
  env?: NodeJS.ProcessEnv
  /** Path of a JSON or YAML config file (--config / HEALTHMON_CONFIG). */
  configFile?: string
  pathEnv?: PathEnv
  /** Told of things worth a warning that do not stop start-up (an unknown HEALTHMON_* variable). */
  warn?: (message: string) => void
}

const KEYS = Object.keys(configSchema.shape) as (keyof Config)[]

/**
 * HEALTHMON_* variables that are not agent options: the config file, and the CLI's socket and
 * cluster choice (src/cli/commands/common.ts).
 */
const OTHER_ENV = new Set(['HEALTHMON_CONFIG', 'HEALTHMON_SOCKET', 'HEALTHMON_CLUSTER'])

/** heartbeatIntervalMs -> HEALTHMON_HEARTBEAT_INTERVAL_MS */
export function envName(key: string): string {
  return 'HEALTHMON_' + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
}

/** heartbeatIntervalMs -> --heartbeat-interval-ms */
/** Flags whose name is not the key's kebab case (a repeatable flag is named for one value). */
const FLAG_NAMES: Readonly<Record<string, string>> = { alertWebhooks: '--alert-webhook' }

export function flagName(key: string): string {
  return FLAG_NAMES[key] ?? '--' + key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()
}

/**
 * Reads HEALTHMON_* variables. Arrays are comma-separated, numbers and booleans are parsed; a
 * value that does not parse is a problem reported against the variable's name.
 */
function readEnv(env: NodeJS.ProcessEnv, problems: ConfigProblem[], warn: (message: string) => void): ConfigInput {
  const out: Record<string, unknown> = {}
  const defaults = defaultConfig()
  const known = new Map(KEYS.map((key) => [envName(key), key]))
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('HEALTHMON_') || raw === undefined) continue
    const key = known.get(name)
    if (key === undefined) {
      if (!OTHER_ENV.has(name)) {
        const guess = closestName(name, [...known.keys(), ...OTHER_ENV])
        warn(`ignoring unknown environment variable ${name}${guess === undefined ? '' : `; did you mean ${guess}?`}`)
      }
      continue
    }
    const example = defaults[key]
    if (Array.isArray(example)) out[key] = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
    else if (typeof example === 'number') {
      const n = Number(raw)
      if (raw.trim() === '' || !Number.isFinite(n)) problems.push({ key, rule: `must be a number, got ${JSON.stringify(raw)}`, source: name })
      else out[key] = n
    } else if (typeof example === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(raw)) problems.push({ key, rule: `must be true or false, got ${JSON.stringify(raw)}`, source: name })
      else out[key] = raw === 'true' || raw === '1'
    } else out[key] = raw
  }
  return out as ConfigInput
}

/** The HEALTHMON_* options in `env`; throws a ConfigError naming every variable that does not parse. */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const problems: ConfigProblem[] = []
  const out = readEnv(env, problems, () => {})
  if (problems.length > 0) throw ConfigError.of(problems)
  return out
}

export function readConfigFile(path: string): ConfigInput {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new HealthmonError('CONFIG_FILE_UNREADABLE', `cannot read config file ${path}: ${(err as Error).message}`, { cause: err })
  }
  let parsed: unknown
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (err) {
    throw new HealthmonError('CONFIG_FILE_UNREADABLE', `cannot parse config file ${path}: ${(err as Error).message}`, { cause: err })
  }
  if (parsed === null || parsed === undefined) return {}
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HealthmonError('CONFIG_FILE_UNREADABLE', `config file ${path} must hold an object of options`)
  }
  return parsed as ConfigInput
}

/**
 * Merges defaults <- profile <- config file <- HEALTHMON_* env <- flags, validates the result
 * once, resolves the default paths and freezes it. Every broken rule is collected, each naming
 * its key, the rule and the source of the value, and reported in one ConfigError.
 */
export function loadConfig(sources: ConfigSources = {}): Readonly<Config> {
  const env = sources.env ?? process.env
  const problems: ConfigProblem[] = []
  const fromEnv = readEnv(env, problems, sources.warn ?? (() => {}))
  const configFile = sources.configFile ?? env['HEALTHMON_CONFIG']
  const fromFile = configFile !== undefined && configFile !== '' ? readConfigFile(configFile) : {}
  const flags = stripUndefined(sources.flags ?? {})
  const profile = flags.profile ?? fromEnv.profile ?? fromFile.profile ?? 'lan'
  const profileValues = PROFILES[profile as Config['profile']]
  if (profileValues === undefined) throw new ConfigError('profile', `must be one of ${Object.keys(PROFILES).join(', ')}, got ${JSON.stringify(profile)}`)
  const sourceOf = (key: string): string | undefined => {
    if (key in flags) return sources.flagStyle === 'cli' ? flagName(key) : undefined
    if (key in fromEnv) return envName(key)
    if (key in fromFile) return `config file ${configFile}`
    if (key in profileValues) return `profile ${profile}`
    return undefined
  }
  const merged = { ...defaultConfig(), ...profileValues, ...fromFile, ...fromEnv, ...flags, profile }
  const config = checkConfig(merged, problems, sourceOf)
  if (config !== undefined) checkNetwork(config, problems, sourceOf)
  if (config === undefined || problems.length > 0) throw ConfigError.of(problems)
  const pathEnv = sources.pathEnv ?? { ...currentPathEnv(), env }
  if (config.dataDir === '') config.dataDir = defaultDataDir(config.cluster, pathEnv)
  if (config.socket === '') config.socket = defaultSocketPath(config.cluster, config.dataDir, pathEnv)
  if (config.adminSocket === '') config.adminSocket = defaultAdminSocketPath(config.socket)
  if (config.adminSocket === config.socket) throw new ConfigError('adminSocket', `must differ from socket (${config.socket}): the read socket is open to its group, the admin socket only to the agent's user`, sourceOf('adminSocket'))
  return deepFreeze(config)
}

/** Validates a complete option object, including the rules that relate two options. */
export function validateConfig(input: unknown): Config {
  const problems: ConfigProblem[] = []
  const config = checkConfig(input, problems, () => undefined)
  if (config === undefined || problems.length > 0) throw ConfigError.of(problems)
  return config
}

function checkConfig(input: unknown, problems: ConfigProblem[], sourceOf: (key: string) => string | undefined): Config | undefined {
  const result = configSchema.safeParse(input)
  if (!result.success) {
    for (const issue of result.error.issues) {
      const entry = entryName(input, issue.path)
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) {
          // Suggestions for top-level options; a nested object's keys are its schema's own.
          const guess = issue.path.length === 0 ? closestName(key, KEYS) : undefined
          problems.push({ key: formatKeyPath([...issue.path, key]), rule: `is not a known option${guess === undefined ? '' : `; did you mean ${guess}?`}${entry}`, source: sourceOf(String(issue.path[0] ?? key)) })
        }
        continue
      }
      problems.push({ key: formatKeyPath(issue.path), rule: issue.message + entry, source: sourceOf(String(issue.path[0] ?? '')) })
    }
    return undefined
  }
  const config = result.data
  const related = (key: keyof Config, rule: string): void => { problems.push({ key, rule, source: sourceOf(key) }) }
  if (config.suspicionTimeoutMsMin > config.suspicionTimeoutMs) {
    related('suspicionTimeoutMsMin', `must be at most suspicionTimeoutMs (${config.suspicionTimeoutMs})`)
  }
  if (config.joinRetryIntervalMsMin > config.joinRetryIntervalMsMax) {
    related('joinRetryIntervalMsMin', `must be at most joinRetryIntervalMsMax (${config.joinRetryIntervalMsMax})`)
  }
  if (config.actorReviveAfterMsMin > config.actorReviveAfterMsMax) {
    related('actorReviveAfterMsMin', `must be at most actorReviveAfterMsMax (${config.actorReviveAfterMsMax})`)
  }
  if (config.diskFreePercentCritical > config.diskFreePercentWarning) {
    throw new ConfigError('diskFreePercentCritical', `must be at most diskFreePercentWarning (${config.diskFreePercentWarning})`)
  }
  if (config.memoryUsedPercentCritical < config.memoryUsedPercentWarning) {
    throw new ConfigError('memoryUsedPercentCritical', `must be at least memoryUsedPercentWarning (${config.memoryUsedPercentWarning})`)
  }
  if (config.loadPerCoreCritical < config.loadPerCoreWarning) {
    throw new ConfigError('loadPerCoreCritical', `must be at least loadPerCoreWarning (${config.loadPerCoreWarning})`)
  }
  checkAlerting(config, problems, sourceOf)
  return config
}

/**
 * Alert rules and inhibition rules compile (ranges, matchers, templates, unique names) here, so
 * a broken rule stops start-up naming it: `alertRules[2] (DiskLow).warning`.
 */
function checkAlerting(config: Config, problems: ConfigProblem[], sourceOf: (key: string) => string | undefined): void {
  const seen = new Set<string>()
  config.alertRules.forEach((rule, i) => {
    if (seen.has(rule.name)) problems.push({ key: `alertRules[${i}] (${rule.name}).name`, rule: 'is used by an earlier rule; names must be unique', source: sourceOf('alertRules') })
    seen.add(rule.name)
  })
  try {
    effectiveRules(config.alertRules)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    for (const p of err.problems) problems.push({ ...p, source: sourceOf('alertRules') })
  }
  config.alertInhibitRules.forEach((rule, i) => {
    try {
      compileInhibitRule(rule)
    } catch (err) {
      problems.push({ key: `alertInhibitRules[${i}]`, rule: (err as Error).message, source: sourceOf('alertInhibitRules') })
    }
  })
}

/**
 * The rules about how the agent meets the network (libp2p addresses, the open-cluster guard):
 * checked on loaded configs only, since the simulator's nodes use in-memory addresses.
 */
function checkNetwork(config: Config, problems: ConfigProblem[], sourceOf: (key: string) => string | undefined): void {
  config.listen.forEach((address, i) => {
    try {
      multiaddr(address)
    } catch (err) {
      problems.push({ key: `listen[${i}]`, rule: `${JSON.stringify(address)} is not a multiaddr (${(err as Error).message}); write it like /ip4/127.0.0.1/tcp/7946, or /ip4/0.0.0.0/tcp/7946 for every interface`, source: sourceOf('listen') })
    }
  })
  for (const key of ['join', 'expect'] as const) {
    config[key].forEach((address, i) => {
      try {
        parseJoinAddress(address)
      } catch (err) {
        problems.push({ key: `${key}[${i}]`, rule: (err as Error).message, source: sourceOf(key), code: 'JOIN_ADDRESS_INVALID' })
      }
    })
  }
  checkHttpListen(config, problems, sourceOf)
  const exposed = listensBeyondLoopback(config.listen)
  if (exposed !== undefined && config.clusterKeyFile === '' && !config.allowOpenCluster) {
    problems.push({
      key: 'listen',
      rule: `${exposed} is reachable from other hosts, and without a cluster key anyone who reaches it can join the cluster and report on its members; ` +
        'create a key with `healthmon keygen FILE`, copy it to every node and pass --cluster-key-file FILE (clusterKeyFile), ' +
        'or set allowOpenCluster: true (HEALTHMON_ALLOW_OPEN_CLUSTER=true) to run an open cluster on a trusted network',
      source: sourceOf('listen'),
      code: 'CLUSTER_KEY_REQUIRED'
    })
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}
