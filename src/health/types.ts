/**
 * The shapes shared by node health's parts: resource collectors and check perfdata produce
 * Samples, metric validation admits them, history stores them, alert rules read them; checks
 * report CheckReports, from which (with the resource samples) the node status is derived.
 * Pure types, no code: every part depends on this file, and this file on nothing.
 */

/**
 * Normalised units. Perfdata's s/ms/us become `seconds`, B/KB/MB/GB/TB `bytes` (decimal, as the
 * Monitoring Plugins guidelines define them), `%` stays `percent` (0-100, the Nagios convention),
 * `c` becomes `counter` (monotonic); a value without a unit is `none`. Names follow Prometheus:
 * a `seconds` or `bytes` sample's name ends in `_seconds` / `_bytes` where we choose the name.
 */
export type SampleUnit = 'seconds' | 'bytes' | 'percent' | 'ratio' | 'counter' | 'none'
export const SAMPLE_UNITS: readonly SampleUnit[] = ['seconds', 'bytes', 'percent', 'ratio', 'counter', 'none']

/** One measured value at one time. */
export interface Sample {
  /** Prometheus metric name syntax: [a-zA-Z_:][a-zA-Z0-9_:]*, e.g. `node_load1`. */
  name: string
  /** Bounded label set, e.g. `{ mountpoint: '/' }` or `{ check: 'disk-root', label: 'root' }`. */
  labels: Readonly<Record<string, string>>
  value: number
  unit: SampleUnit
  /** Epoch milliseconds, from the injected Clock. */
  atMs: number
}

/** A check's result in the Nagios plugin convention (exit 0/1/2/3). */
export type CheckStatus = 'passing' | 'warning' | 'critical' | 'unknown'
export const CHECK_STATUSES: readonly CheckStatus[] = ['passing', 'warning', 'critical', 'unknown']

/** What a check reports after damping: its current state, as /v1/checks and node status see it. */
export interface CheckReport {
  id: string
  /** The damped status (Consul's failuresBeforeCritical / successesBeforePassing applied). */
  status: CheckStatus
  /** Nagios-style flap detection over the last 21 results says the check changes too often. */
  flapping: boolean
  /** First line of the plugin's output, or what the runner says happened (timeout, refused...). */
  output: string
  /** When the last result arrived (epoch ms); undefined before the first run. */
  lastRunAtMs: number | undefined
  /** When `status` last changed (epoch ms). */
  sinceMs: number
}
