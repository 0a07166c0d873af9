/**
 * metrics: the agent's Prometheus metrics, served as GET /metrics on the socket API.
 * - agent-metrics.ts: AgentMetrics, its own prom-client Registry with the standard process_* and
 *   nodejs_* sets, the healthmon_* metrics, and the NodeInstruments the node reports through;
 * - sourced.ts: counters and gauges read from the node's and the API's own counters at scrape time.
 * Depends on prom-client, and on the node, api and transport modules for types and label sets.
 */
export { AgentMetrics, DETECTION_BUCKETS_SECONDS, PHI_BUCKETS, type AgentMetricsOptions, type MetricsSources, type NodeSource } from './agent-metrics.ts'
