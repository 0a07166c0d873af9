/**
 * Metric validation: the one gate every Sample passes before history, alert rules or /metrics
 * see it, whether it came from a resource collector, a check's perfdata or a peer's heartbeat.
 * A bad sample is dropped with a reason and counted (healthmon_samples_rejected_total{reason});
 * it never throws and never reaches storage, so one broken plugin cannot poison a series or grow
 * the label space without bound.
 *
 * The rules follow Prometheus's data model (metric and label name syntax) and the Monitoring
 * Plugins guidelines' units: percent is 0-100, bytes, seconds and counters are never negative
 * (a counter's reset is a new, smaller value, still >= 0), ratios are 0-1.
 */
import { SAMPLE_UNITS, type Sample, type SampleUnit } from './types.ts'

export const REJECT_REASONS = ['name', 'unit', 'non-finite', 'out-of-range', 'labels', 'label-name', 'label-value', 'time'] as const
export type RejectReason = (typeof REJECT_REASONS)[number]

/** Bounds on a sample's shape (listed in src/ARCHITECTURE.md's limits table). */
export const SAMPLE_LIMITS = {
  /** Characters in a metric name. */
  nameLengthMax: 128,
  /** Labels on one sample. */
  labelsMax: 8,
  /** Characters in a label name. */
  labelNameLengthMax: 64,
  /** Characters in a label value (a mount point, a check id, a perfdata label). */
  labelValueLengthMax: 128,
  /** Magnitude beyond which a value is implausible for any unit (1e18: an exabyte, 31 Gyears in seconds). */
  valueAbsMax: 1e18,
  /** Samples stamped further than this ahead of the validator's clock are rejected (clock skew, garbage). */
  futureToleranceMs: 60_000
} as const

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
const KNOWN_UNITS = new Set<string>(SAMPLE_UNITS)

/** The range a value of each unit may take. */
const UNIT_RANGE: Record<SampleUnit, readonly [number, number]> = {
  percent: [0, 100],
  ratio: [0, 1],
  bytes: [0, SAMPLE_LIMITS.valueAbsMax],
  seconds: [0, SAMPLE_LIMITS.valueAbsMax],
  counter: [0, SAMPLE_LIMITS.valueAbsMax],
  none: [-SAMPLE_LIMITS.valueAbsMax, SAMPLE_LIMITS.valueAbsMax]
}

/** Checks one sample; `nowMs` is the validator's clock. Pure. */
export function checkSample(sample: Sample, nowMs: number): RejectReason | undefined {
  if (typeof sample.name !== 'string' || sample.name.length > SAMPLE_LIMITS.nameLengthMax || !METRIC_NAME.test(sample.name) || sample.name.startsWith('__')) return 'name'
  if (!KNOWN_UNITS.has(sample.unit)) return 'unit'
  if (typeof sample.value !== 'number' || !Number.isFinite(sample.value)) return 'non-finite'
  const [min, max] = UNIT_RANGE[sample.unit]
  if (sample.value < min || sample.value > max) return 'out-of-range'
  if (!Number.isFinite(sample.atMs) || sample.atMs < 0 || sample.atMs > nowMs + SAMPLE_LIMITS.futureToleranceMs) return 'time'
  if (sample.labels === null || typeof sample.labels !== 'object') return 'labels'
  const entries = Object.entries(sample.labels)
  if (entries.length > SAMPLE_LIMITS.labelsMax) return 'labels'
  for (const [name, value] of entries) {
    if (name.length > SAMPLE_LIMITS.labelNameLengthMax || !LABEL_NAME.test(name) || name.startsWith('__')) return 'label-name'
    if (typeof value !== 'string' || value.length > SAMPLE_LIMITS.labelValueLengthMax || hasControl(value)) return 'label-value'
  }
  return undefined
}

function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}

/** A validator that counts what it drops. One per agent; safe to share between sources. */
export class SampleValidator {
  readonly rejected: Record<RejectReason, number> = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReason, number>
  accepted = 0

  /** The samples that pass, in order; the others are counted by reason. */
  admit(samples: readonly Sample[], nowMs: number): Sample[] {
    const out: Sample[] = []
    for (const s of samples) {
      const reason = checkSample(s, nowMs)
      if (reason === undefined) {
        out.push(s)
        this.accepted++
      } else this.rejected[reason]++
    }
    return out
  }
}
