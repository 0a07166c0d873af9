/**
 * config: one zod schema for every option (schema.ts), presets (profiles.ts), the merge of
 * defaults <- profile <- file <- env <- flags (load.ts), and the default path rules (paths.ts).
 */
export { configSchema, type Config, type ConfigInput } from './schema.ts'
export { defaultConfig, PROFILES, CHECK_DEFAULTS } from './profiles.ts'
export { loadConfig, validateConfig, configFromEnv, envName, readConfigFile, type ConfigSources } from './load.ts'
export { defaultDataDir, defaultSocketPath, currentPathEnv, type PathEnv } from './paths.ts'
