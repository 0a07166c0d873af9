import { monitorEventLoopDelay } from 'node:perf_hooks'

/**
 * Event-loop delay, measured by Node's own histogram (libuv timer drift at 20 ms resolution).
 * `takeMaxMs()` returns the worst delay since the previous call and resets the histogram; the
 * agent feeds it to local health awareness once per heartbeat.
 */
export interface LoopLagMonitor {
  takeMaxMs(): number
  stop(): void
}

export function startLoopLagMonitor(): LoopLagMonitor {
  const histogram = monitorEventLoopDelay({ resolution: 20 })
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
