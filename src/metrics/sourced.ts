/**
 * Prometheus metrics whose values live elsewhere (the node's and the API server's own counters)
 * and are read when scraped, so the hot paths pay nothing for being measured. A counter adds the
 * delta since the previous scrape, so it stays a proper monotonic counter in prom-client's eyes;
 * a gauge is set. Every label value comes from a fixed set declared up front, and its series
 * exists (at 0) from the first scrape, so rate() and absent() behave from the start.
 */
import { Counter, Gauge, type Registry } from 'prom-client'

export type Labels = Record<string, string>

/** The current total for each label combination (an empty Labels for an unlabelled metric). */
export type Reading = Iterable<readonly [Labels, number]>

function keyOf(labelNames: readonly string[], labels: Labels): string {
  return labelNames.map((n) => labels[n] ?? '').join('\u0000')
}

export function counterFrom(registry: Registry, name: string, help: string, labelNames: readonly string[], read: () => Reading): Counter {
  const last = new Map<string, number>()
  const counter: Counter = new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const [labels, value] of read()) {
        const key = keyOf(labelNames, labels)
        const previous = last.get(key)
        // A total that went down means its source restarted: count from there on.
        const delta = previous === undefined || value < previous ? value : value - previous
        if (delta > 0 || previous === undefined) counter.inc(labels, Math.max(0, delta))
        last.set(key, value)
      }
    }
  })
  return counter
}

/** An unlabelled counter read from one number. */
export function counterOf(registry: Registry, name: string, help: string, read: () => number): Counter {
  return counterFrom(registry, name, help, [], () => [[{}, read()]])
}

export function gaugeFrom(registry: Registry, name: string, help: string, labelNames: readonly string[], read: () => Reading): Gauge {
  const gauge: Gauge = new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      for (const [labels, value] of read()) gauge.set(labels, value)
    }
  })
  return gauge
}

export function gaugeOf(registry: Registry, name: string, help: string, read: () => number): Gauge {
  return gaugeFrom(registry, name, help, [], () => [[{}, read()]])
}
