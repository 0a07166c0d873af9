import { compileRule, type AlertRuleConfig, type CompiledRule } from './rule-config.ts'

/**
 * The rules every agent runs unless the operator overrides one (an `alertRules` entry with the
 * same name replaces it) or disables it (`{ name: X, disabled: true }`).
 *
 * Resource rules read node_exporter's metric names, so the node-health collectors must emit
 * exactly these samples (values in the sample's unit):
 *
 * | sample | labels | unit | rule |
 * | --- | --- | --- | --- |
 * | `node_filesystem_avail_bytes` | mountpoint, device, fstype | bytes | DiskSpaceLow, DiskWillFillSoon |
 * | `node_filesystem_size_bytes` | same labels as avail | bytes | DiskSpaceLow (divisor) |
 * | `node_memory_MemAvailable_bytes` | none | bytes | MemoryHigh |
 * | `node_memory_MemTotal_bytes` | none | bytes | MemoryHigh (divisor) |
 * | `node_load1` | none | none | LoadHigh |
 * | `node_cpus` | none | none | LoadHigh (per core): the CPUs online (healthmon's own; node_exporter has no single series for it) |
 *
 * Peer rules read the view's peer states; EventLoopLagging and NodeIsolated read the node's own
 * facts (event-loop lag in ms, Lifeguard's "isolated" verdict); the check rules read the damped
 * check reports. Thresholds follow the node_exporter mixin where it has one.
 */
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const PSEUDO_FS = 'fstype!~"tmpfs|ramfs|devtmpfs|overlay|squashfs|proc|sysfs"'

export const BUILTIN_RULES: readonly AlertRuleConfig[] = [
  {
    name: 'DiskSpaceLow', metric: 'node_filesystem_avail_bytes', divideBy: 'node_filesystem_size_bytes', scale: 100, matchers: [PSEUDO_FS],
    warning: '10:', critical: '5:', clear: '11:', forMs: 30 * MINUTE,
    annotations: { summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} has {{ $value }} % free' }
  },
  {
    name: 'DiskWillFillSoon', metric: 'node_filesystem_avail_bytes', matchers: [PSEUDO_FS], trend: { windowMs: 6 * HOUR },
    warning: '86400:', critical: '14400:', forMs: 30 * MINUTE,
    annotations: { summary: 'Filesystem {{ $labels.mountpoint }} on {{ $labels.node }} is predicted full in {{ $value }} s' }
  },
  {
    name: 'MemoryHigh', metric: 'node_memory_MemAvailable_bytes', divideBy: 'node_memory_MemTotal_bytes', scale: 100,
    warning: '10:', clear: '11:', forMs: 15 * MINUTE,
    annotations: { summary: 'Memory on {{ $labels.node }} is over 90 % used ({{ $value }} % available)' }
  },
  {
    name: 'LoadHigh', metric: 'node_load1', perCore: true, warning: '~:2', forMs: 15 * MINUTE,
    annotations: { summary: 'Load per core on {{ $labels.node }} is {{ $value }}' }
  },
  { name: 'PeerSuspect', peerState: 'suspect', severity: 'warning', annotations: { summary: 'Peer {{ $labels.peer }} is suspected of failure' } },
  { name: 'PeerDead', peerState: 'dead', severity: 'critical', annotations: { summary: 'Peer {{ $labels.peer }} is dead' } },
  { name: 'PeerMissing', peerState: 'missing', severity: 'warning', annotations: { summary: 'Expected member {{ $labels.peer }} has never been heard from' } },
  {
    name: 'EventLoopLagging', node: 'eventLoopLagMs', warning: '~:500', critical: '~:2000', forMs: MINUTE,
    annotations: { summary: 'The agent on {{ $labels.node }} lags {{ $value }} ms behind its event loop' }
  },
  {
    name: 'PeerActorsStopped', node: 'actorsStopped', severity: 'warning',
    annotations: { summary: '{{ $value }} peer actors on {{ $labels.node }} failed past their restart budget; they restart after a cooldown, and their peers go unobserved here until then' }
  },
  {
    name: 'NodeIsolated', node: 'isolated', severity: 'critical',
    annotations: { summary: '{{ $labels.node }} lost most of its subjects at once while the cluster says they live: it is isolated' }
  },
  { name: 'CheckWarning', check: '*', statuses: ['warning'], severity: 'warning', annotations: { summary: 'Check {{ $labels.check }} on {{ $labels.node }} is warning' } },
  { name: 'CheckCritical', check: '*', statuses: ['critical', 'unknown'], severity: 'critical', annotations: { summary: 'Check {{ $labels.check }} on {{ $labels.node }} is critical' } }
]

/**
 * The rules in force: the built-ins, each replaced by a user rule of the same name or removed by
 * `disabled: true`, then the user's other rules in order. User entries keep their index in
 * errors (`alertRules[i]`).
 */
export function effectiveRules(user: readonly AlertRuleConfig[]): CompiledRule[] {
  const byName = new Map(user.map((rule, index) => [rule.name, { rule, index }]))
  const out: CompiledRule[] = []
  BUILTIN_RULES.forEach((builtin, index) => {
    if (!byName.has(builtin.name)) out.push(compileRule(builtin, index))
  })
  for (const [, { rule, index }] of byName) if (rule.disabled !== true) out.push(compileRule(rule, index))
  return out
}
