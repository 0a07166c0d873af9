/**
 * bench-alerts part 4: one incident on real agents. N agent processes of the package's bin on
 * 127.0.0.1 send to one webhook receiver; one is SIGKILLed, then restarted. Counts the firing and
 * the resolved notifications about it, waiting past every handover deadline (N - 1 observers),
 * and notes which agent told and how long after the kill. Every wait is bounded.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ApiClient } from '../../src/api/client.ts'
import { API_PATHS, type AlertsResponse, type ClusterView } from '../../src/api/protocol.ts'
import { startReceiver } from '../../src/sim/http-receiver.ts'
import { ProcessCluster } from '../../src/sim/process-cluster.ts'

interface Body { status: string; alerts: { status: string; labels: Record<string, string> }[] }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function waitFor(read: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number | undefined> {
  const t0 = Date.now()
  for (let i = 0; i < 100_000 && Date.now() - t0 < timeoutMs; i++) {
    try { if (await read()) return Date.now() - t0 } catch { /* restarting */ }
    await sleep(100)
  }
  return undefined
}

export async function realIncident(o: { agents: number; groupWaitMs: number; handoverMs: number; bin: string }) {
  const receiver = await startReceiver(() => 200)
  const dir = mkdtempSync(join(tmpdir(), 'hm-bench-alerts-'))
  const config = join(dir, 'alerting.json')
  writeFileSync(config, JSON.stringify({ alertGroupWaitMs: o.groupWaitMs, alertHandoverDelayMs: o.handoverMs }))
  const cluster = new ProcessCluster({ size: o.agents, entry: o.bin, args: ['--config', config, '--alert-webhook', receiver.url] })
  const about = (id: string, status: string) => (receiver.bodies as Body[]).filter((b) => b.status === status && b.alerts.some((a) => a.status === status && a.labels['peer_id'] === id && a.labels['alertname'] === 'PeerDead')).length
  try {
    await cluster.start()
    const converged = await cluster.waitUntil(cluster.agents, (v: ClusterView) => v.peers.length === o.agents - 1 && v.peers.every((p) => p.state === 'alive'), 60_000)
    // Past the alerting runtime's settle time (3 suspicion timeouts + one anti-entropy interval).
    await sleep(15_000)
    const victim = cluster.agents[Math.floor(o.agents / 2)]!
    const id = (await cluster.view(victim)).self.id
    const killedAt = Date.now()
    await cluster.kill(victim)
    const firstFiringMs = await waitFor(() => about(id, 'firing') > 0, o.groupWaitMs + o.agents * o.handoverMs + 60_000)
    await sleep(o.groupWaitMs + o.agents * o.handoverMs)
    const firing = about(id, 'firing')
    const survivor = cluster.agents.find((a) => a !== victim)!
    const seen = await new ApiClient(survivor.socket).get<AlertsResponse>(`${API_PATHS.alerts}?peer=${id}&matcher=alertname%3DPeerDead`)
    const toldBy = [...new Set(seen.alerts.flatMap((a) => a.notifiedBy.map((m) => m.byName ?? m.by)))]
    await cluster.restart(victim)
    const restartedAt = Date.now()
    const firstResolvedMs = await waitFor(() => about(id, 'resolved') > 0, o.groupWaitMs + o.agents * o.handoverMs + 120_000)
    await sleep(o.groupWaitMs + o.agents * o.handoverMs)
    return {
      agents: o.agents, launched: `node ${o.bin} agent --profile local-test`, groupWaitMs: o.groupWaitMs, handoverDelayMs: o.handoverMs,
      convergedMs: converged ?? null,
      firingNotifications: firing, resolvedNotifications: about(id, 'resolved'),
      firstFiringAfterKillMs: firstFiringMs ?? null,
      firstResolvedAfterRestartMs: firstResolvedMs ?? null,
      toldBy, receiverRequests: receiver.requests,
      killedAtIso: new Date(killedAt).toISOString(), restartedAtIso: new Date(restartedAt).toISOString()
    }
  } finally {
    await cluster.close()
    await receiver.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
