import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { ConfigError, HealthmonError } from '../errors.ts'
import { defaultConfig, PROFILES } from './profiles.ts'
import { configSchema, type Config, type ConfigInput } from './schema.ts'
import { currentPathEnv, defaultDataDir, defaultSocketPath, type PathEnv } from './paths.ts'

export interface ConfigSources {
  /** Values from command-line flags (highest precedence). */
  flags?: ConfigInput
  /** Environment to read HEALTHMON_* from; defaults to process.env. */
  env?: NodeJS.ProcessEnv
  /** Path of a JSON or YAML config file (--config / HEALTHMON_CONFIG). */
  configFile?: string
  pathEnv?: PathEnv
}

const KEYS = Object.keys(configSchema.shape) as (keyof Config)[]

/** heartbeatIntervalMs -> HEALTHMON_HEARTBEAT_INTERVAL_MS */
export function envName(key: string): string {
  return 'HEALTHMON_' + key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()
}

/**
 * Reads HEALTHMON_* variables. Arrays are comma-separated, numbers and booleans are parsed, and a
 * value that does not parse is reported against the variable's name.
 */
export function configFromEnv(env: NodeJS.ProcessEnv): ConfigInput {
  const out: Record<string, unknown> = {}
  const defaults = defaultConfig()
  for (const key of KEYS) {
    const raw = env[envName(key)]
    if (raw === undefined) continue
    const example = defaults[key]
    if (Array.isArray(example)) out[key] = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
    else if (typeof example === 'number') {
      const n = Number(raw)
      if (raw.trim() === '' || !Number.isFinite(n)) throw new ConfigError(key, `must be a number, got ${JSON.stringify(raw)}`, envName(key))
      out[key] = n
    } else if (typeof example === 'boolean') {
      if (!['true', 'false', '1', '0'].includes(raw)) throw new ConfigError(key, `must be true or false, got ${JSON.stringify(raw)}`, envName(key))
      out[key] = raw === 'true' || raw === '1'
    } else out[key] = raw
  }
  return out as ConfigInput
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
 * once, resolves the default paths and freezes it. The first broken rule stops start-up with a
 * ConfigError naming the key and the rule.
 */
export function loadConfig(sources: ConfigSources = {}): Readonly<Config> {
  const env = sources.env ?? process.env
  const fromEnv = configFromEnv(env)
  const configFile = sources.configFile ?? env['HEALTHMON_CONFIG']
  const fromFile = configFile !== undefined && configFile !== '' ? readConfigFile(configFile) : {}
  const flags = sources.flags ?? {}
  const profile = flags.profile ?? fromEnv.profile ?? fromFile.profile ?? 'lan'
  const profileValues = PROFILES[profile as Config['profile']]
  if (profileValues === undefined) throw new ConfigError('profile', `must be one of ${Object.keys(PROFILES).join(', ')}, got ${JSON.stringify(profile)}`)
  const merged = { ...defaultConfig(), ...profileValues, ...fromFile, ...fromEnv, ...stripUndefined(flags), profile }
  const config = validateConfig(merged)
  const pathEnv = sources.pathEnv ?? { ...currentPathEnv(), env }
  if (config.dataDir === '') config.dataDir = defaultDataDir(config.cluster, pathEnv)
  if (config.socket === '') config.socket = defaultSocketPath(config.cluster, config.dataDir, pathEnv)
  return deepFreeze(config)
}

/** Validates a complete option object, including the rules that relate two options. */
export function validateConfig(input: unknown): Config {
  const result = configSchema.safeParse(input)
  if (!result.success) {
    const issue = result.error.issues[0]!
    const key = issue.path.length > 0 ? issue.path.join('.') : (issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : '(root)')
    const rule = issue.code === 'unrecognized_keys' ? 'is not a known option' : issue.message
    throw new ConfigError(key, rule)
  }
  const config = result.data
  if (config.suspicionTimeoutMsMin > config.suspicionTimeoutMs) {
    throw new ConfigError('suspicionTimeoutMsMin', `must be at most suspicionTimeoutMs (${config.suspicionTimeoutMs})`)
  }
  if (config.joinRetryIntervalMsMin > config.joinRetryIntervalMsMax) {
    throw new ConfigError('joinRetryIntervalMsMin', `must be at most joinRetryIntervalMsMax (${config.joinRetryIntervalMsMax})`)
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
  return config
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
