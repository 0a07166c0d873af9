/**
 * healthmon as a library: embed the agent in a Node.js program with createHealthMonitor(), or
 * use the building blocks (config, the in-memory transport, the pure detector) directly.
 */
export { createHealthMonitor, type HealthMonitor, type HealthMonitorOptions, type HealthStatus } from './health-monitor.ts'
export type { HealthEvents, PeerEvent, AlertEvent } from './events.ts'
export type { ClusterView, PeerView, SelfView, PeerState, AlertEntry, Severity } from './api/protocol.ts'
export type { AlertNotice } from './daemon-alerts.ts'
export type { Transition, AlertInstance } from './alerts/instance.ts'
export type { Notification } from './alerts/grouping.ts'
export type { AlertView, AlertsResponse, SilenceView } from './api/alert-protocol.ts'
export { loadConfig, defaultConfig, PROFILES, type Config, type ConfigInput } from './config/index.ts'
export { HealthmonError, ConfigError, ERROR_CODES, type ErrorCode } from './errors.ts'
