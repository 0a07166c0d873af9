/**
 * NodeHealth: the shell that measures this node. On the injected Clock, every sampleIntervalMs
 * it takes one resource reading (collectors.ts), passes its samples through metric validation
 * (validate.ts) and hands the admitted ones to whoever keeps them (metric history); on demand it
 * derives the node status (node-status.ts) from the latest reading, the checks' reports and the
 * Lifeguard awareness status the ClusterNode passes in. ClusterNode only carries the result in
 * its heartbeats: it asks `report()` for the current summary and owns none of it.
 */
import type { SelfResources } from '../domain/index.ts'
import type { Clock, Timer } from '../runtime/clock.ts'
import type { HealthSummary, NodeStatus } from '../transport/codec.ts'
import type { ResourceCollectors } from './collectors.ts'
import { nodeStatus, type ResourceThresholds } from './node-status.ts'
import { figuresOf, samplesOf, type ResourceFigures, type ResourceReading } from './resource-reading.ts'
import { heartbeatSummary, selfResources } from './summary.ts'
import type { CheckReport, Sample } from './types.ts'
import type { SampleValidator } from './validate.ts'

export interface NodeHealthDeps {
  clock: Clock
  collectors: ResourceCollectors
  validator: SampleValidator
  thresholds: ResourceThresholds
  /** Period of the resource sampler. */
  sampleIntervalMs: number
  /** The checks component's current reports (src/checks/); empty until it is wired. */
  checks: () => readonly CheckReport[]
  /** Receives each sample's admitted samples (metric history, alert rules). */
  onSamples?: (samples: readonly Sample[]) => void
}

/** What ClusterNode carries and shows: the heartbeat summary plus, for GET /v1/self, the reasons and resources. */
export interface NodeHealthReport {
  summary: HealthSummary
  reasons: string[]
  resources: SelfResources | null
}

export class NodeHealth {
  /** Cost of the resource readings, ms: the last one and the worst so far. */
  readonly cost = { samples: 0, lastMs: 0, maxMs: 0 }
  private readonly deps: NodeHealthDeps
  private timer: Timer | undefined
  /** The latest reading and what is derived from it once per reading (report() runs every heartbeat). */
  private latest: { reading: ResourceReading; figures: ResourceFigures; samples: Sample[]; resources: SelfResources } | undefined

  constructor(deps: NodeHealthDeps) {
    this.deps = deps
  }

  /** Takes a first reading now (CPU utilisation needs two), then one per interval. Idempotent. */
  start(): void {
    if (this.timer !== undefined) return
    this.sample()
    this.timer = this.deps.clock.setInterval(() => this.sample(), this.deps.sampleIntervalMs)
  }

  stop(): void {
    this.timer?.cancel()
    this.timer = undefined
  }

  /** One reading: measured, validated, kept as the latest, handed on. */
  sample(): readonly Sample[] {
    const { clock, collectors, validator } = this.deps
    const startedAt = clock.now()
    const reading = collectors.read(startedAt)
    const samples = validator.admit(samplesOf(reading), startedAt)
    const took = clock.now() - startedAt
    this.cost.samples++
    this.cost.lastMs = took
    this.cost.maxMs = Math.max(this.cost.maxMs, took)
    this.latest = { reading, figures: figuresOf(reading), samples, resources: selfResources(reading) }
    this.deps.onSamples?.(samples)
    return samples
  }

  /** The latest admitted samples (for /metrics); empty before the first reading. */
  samples(): readonly Sample[] {
    return this.latest?.samples ?? []
  }

  /** The node's status and summary now, given what Lifeguard awareness says. */
  report(awareness: NodeStatus): NodeHealthReport {
    const figures = this.latest?.figures
    const result = nodeStatus({ awareness, checks: this.deps.checks(), resources: figures, thresholds: this.deps.thresholds })
    return {
      summary: heartbeatSummary(result, figures),
      reasons: result.reasons,
      resources: this.latest?.resources ?? null
    }
  }
}
