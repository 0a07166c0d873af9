import { monitorEventLoopDelay } from 'node:perf_hooks'

/**
 * Event-loop delay, measured by Node's own histogram (libuv timer drift, sampled every 100 ms:
 * finer sampling wakes an idle agent 50 times a second for nothing, since only lags of a few
 * hundred ms matter to awareness).
 * `takeMaxMs()` returns the worst delay since the previous call and resets the histogram; the
 * agent feeds it to local health awareness once per heartbeat.
 */
const LOOP_LAG_RESOLUTION_MS = 100

export interface LoopLagMonitor {
  takeMaxMs(): number
  stop(): void
}

export function startLoopLagMonitor(): LoopLagMonitor {
  const histogram = monitorEventLoopDelay({ resolution: LOOP_LAG_RESOLUTION_MS })
  histogram.enable()
  return {
    takeMaxMs() {
      const maxMs = histogram.count > 0 ? histogram.max / 1e6 : 0
      histogram.reset()
      return maxMs
    },
    stop() {
      histogram.disable()
    }
  }
}
