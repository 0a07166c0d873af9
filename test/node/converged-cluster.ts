/**
 * Test helper: a VirtualCluster of `n` nodes (n0..n{n-1}, each joining through n0) run until
 * every node sees every other alive, then for `settleMs` more so the detectors hold real
 * inter-arrival samples rather than the first-heartbeat estimate.
 */
import assert from 'node:assert/strict'
import type { ConfigInput } from '../../src/config/schema.ts'
import { VirtualCluster } from '../../src/sim/virtual-cluster.ts'

export async function startConvergedCluster(n: number, options: { seed: number; settleMs: number; node?: ConfigInput }): Promise<{ cluster: VirtualCluster; ids: string[] }> {
  const cluster = new VirtualCluster({ seed: options.seed, node: { antiEntropyIntervalMs: 1000, ...options.node } })
  const ids = Array.from({ length: n }, (_, i) => `n${i}`)
  await cluster.add(ids[0]!)
  for (const id of ids.slice(1)) await cluster.add(id, [ids[0]!])
  const took = await cluster.runUntil(() => ids.every((id) => cluster.get(id).node.clusterView().peers.filter((p) => p.state === 'alive').length === n - 1), 60_000)
  assert.ok(took !== undefined, 'cluster converged')
  await cluster.runFor(options.settleMs)
  return { cluster, ids }
}
