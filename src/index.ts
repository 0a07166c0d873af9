/**
 * healthmon as a library: embed the agent in a Node.js program with createHealthMonitor(), or
 * use the building blocks (config, the in-memory transport, the pure detector) directly.
 */
export { createHealthMonitor, type HealthMonitor, type HealthMonitorOptions, type HealthStatus } from './health-monitor.ts'
export type { HealthEvents, PeerEvent, AlertEvent } from './events.ts'
export type { ClusterView, PeerView, SelfView, PeerState, AlertEntry, Severity } from './api/protocol.ts'
export { loadConfig, defaultConfig, PROFILES, type Config, type ConfigInput } from './config/index.ts'
export { HealthmonError, ConfigError, ERROR_CODES, type ErrorCode } from './errors.ts'
