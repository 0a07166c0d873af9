/**
 * Verdicts routed through VerdictExchange, on virtual time: when a host hangs (its network
 * holds every message, so probes go unanswered), each observer's suspicion is confirmed by the
 * others' suspect verdicts and ends in dead sooner than the full 3 s suspicion timeout
 * (Lifeguard); and non-observers learn the death from the observers' reports.
 */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startConvergedCluster } from './converged-cluster.ts'

const cluster = (n: number, observersPerSubject: number) => startConvergedCluster(n, { seed: 5, settleMs: 10_000, node: { observersPerSubject } })

test('a hung host: the other observers\' suspect verdicts shorten each observer\'s suspicion below 3 s', { timeout: 60_000 }, async () => {
  const { cluster: c, ids } = await cluster(6, 8)
  const victim = 'n3'
  const rest = ids.filter((id) => id !== victim)
  const suspectedAt = new Map<string, number>()
  const deadAt = new Map<string, number>()
  for (const id of rest) {
    const events = c.get(id).node.events
    events.on('peer:suspected', (e) => { if (e.peer === victim && e.observedBySelf && !suspectedAt.has(id)) suspectedAt.set(id, e.atMs) })
    events.on('peer:dead', (e) => { if (e.peer === victim && e.observedBySelf && !deadAt.has(id)) deadAt.set(id, e.atMs) })
  }
  c.network.setPaused(victim, true)
  const took = await c.runUntil(() => rest.every((id) => deadAt.has(id)), 20_000)
  assert.ok(took !== undefined, `dead at every observer (${deadAt.size} of ${rest.length})`)
  const waits = rest.map((id) => deadAt.get(id)! - suspectedAt.get(id)!).sort((a, b) => a - b)
  // Unconfirmed, each would wait suspicionTimeoutMs (3000 ms) after its own suspicion.
  assert.ok(waits.every((w) => w < 3000), `suspect -> dead per observer: ${waits.join(', ')} ms`)
  assert.ok(waits[Math.floor(waits.length / 2)]! <= 2500, `median ${waits[Math.floor(waits.length / 2)]} ms`)
})

test('non-observers take a death from the observers\' verdicts', { timeout: 60_000 }, async () => {
  const { cluster: c, ids } = await cluster(8, 3)
  const victim = 'n5'
  const observers = new Set(c.get(ids[0]!).node.observersOf(victim))
  const nonObservers = ids.filter((id) => id !== victim && !observers.has(id))
  assert.ok(nonObservers.length >= 2, `some nodes do not observe ${victim}: ${nonObservers.join(', ')}`)
  await c.crash(victim)
  const took = await c.runUntil(() => nonObservers.every((id) => c.get(id).node.view.stateOf(victim) === 'dead'), 20_000)
  assert.ok(took !== undefined, 'dead at every non-observer')
  for (const id of nonObservers) {
    const peer = c.get(id).node.clusterView().peers.find((p) => p.id === victim)!
    assert.equal(peer.observedBySelf, false)
    assert.ok(peer.observers.agree >= 2, `${id}: ${peer.observers.agree} of ${peer.observers.total} observers agree`)
  }
})
