/**
 * Alerting across five real agent processes on 127.0.0.1 (real libp2p, real SQLite, real unix
 * sockets) sending to one real HTTP receiver, in the order an operator meets it:
 * 1. SIGKILL of one agent: exactly one firing notification about it reaches the receiver
 *    (every survivor sees the PeerDead alert; only the first live observer tells), with the
 *    Alertmanager webhook shape, and every survivor's view says who told;
 * 2. restart of it: exactly one resolved notification;
 * 3. a silence added on one agent holds on the others, and survives a SIGKILL of the agent
 *    that took it, as does a firing alert;
 * 4. a receiver that hangs does not delay detection.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ApiClient } from '../../src/api/client.ts'
import { defaultAdminSocketPath } from '../../src/config/paths.ts'
import { API_PATHS, type AlertsResponse, type ClusterView, type SilencesResponse, type SilenceView } from '../../src/api/protocol.ts'
import { ProcessCluster, type AgentProcess } from '../../src/sim/process-cluster.ts'
import { startReceiver, type Receiver } from '../../src/sim/http-receiver.ts'

interface WebhookBody {
  version: string
  status: 'firing' | 'resolved'
  receiver: string
  groupKey: string
  groupLabels: Record<string, string>
  commonLabels: Record<string, string>
  commonAnnotations: Record<string, string>
  externalURL: string
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string>; startsAt: string; endsAt: string; fingerprint: string }[]
}

const GROUP_WAIT_MS = 1_000
// Longer than the spread of detection times between observers (a few seconds): the second
// observer waits this long after its own view of the incident for the first one's mark.
const HANDOVER_MS = 10_000

const configDirs: string[] = []
after(() => { for (const d of configDirs) rmSync(d, { recursive: true, force: true }) })

/** Short alerting timings, so the test waits seconds where the defaults wait minutes. */
function alertingConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hm-alerting-'))
  configDirs.push(dir)
  const file = join(dir, 'alerting.json')
  writeFileSync(file, JSON.stringify({ alertGroupWaitMs: GROUP_WAIT_MS, alertGroupIntervalMs: 2_000, alertHandoverDelayMs: HANDOVER_MS, alertEvaluationIntervalMs: 250 }))
  return file
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  for (let i = 0; i < 10_000 && Date.now() < deadline; i++) {
    try {
      last = await read()
      if (ok(last)) return last
    } catch {
      // an agent restarting: ask again
    }
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)?.slice(0, 500)}`)
}

describe('alerting on five real agents with one webhook receiver', { timeout: 240_000 }, () => {
  let receiver: Receiver
  let cluster: ProcessCluster
  const ids = new Map<AgentProcess, string>()
  const client = (a: AgentProcess) => new ApiClient(a.socket)
  const about = (id: string, status: string) => (receiver.bodies as WebhookBody[]).filter((b) => b.status === status && b.alerts.some((x) => x.labels['peer_id'] === id && x.labels['alertname'] === 'PeerDead' && x.status === status))

  before(async () => {
    receiver = await startReceiver(() => 200)
    cluster = new ProcessCluster({ size: 5, args: ['--config', alertingConfig(), '--alert-webhook', receiver.url] })
    await cluster.start()
    for (const a of cluster.agents) ids.set(a, (await cluster.view(a)).self.id)
    await cluster.waitUntil(cluster.agents, (v: ClusterView) => v.peers.length === 4 && v.peers.every((p) => p.state === 'alive'), 30_000)
  })
  after(async () => {
    await cluster.close()
    await receiver.close()
  })

  const survivors = (victim: AgentProcess) => cluster.agents.filter((a) => a !== victim && a.child !== undefined)

  test('SIGKILL of one: exactly one firing notification about it, in the Alertmanager webhook shape; restart: exactly one resolved', async () => {
    const victim = cluster.agents[2]!
    const id = ids.get(victim)!
    await cluster.kill(victim)
    // Every survivor holds the firing PeerDead alert...
    for (const a of survivors(victim)) {
      await until(() => client(a).get<AlertsResponse>(`${API_PATHS.alerts}?state=firing&peer=${id}`), (r) => r.alerts.some((x) => x.alertname === 'PeerDead'), 40_000, `PeerDead at ${a.name}`)
    }
    await until(async () => about(id, 'firing').length, (n) => n >= 1, 20_000, 'the firing notification')
    // ...and none of them adds a second one: wait past every handover deadline (4 observers).
    await new Promise((r) => setTimeout(r, GROUP_WAIT_MS + 5 * HANDOVER_MS))
    const firing = about(id, 'firing')
    const views = await Promise.all(survivors(victim).map(async (a) => `${a.name}: ${JSON.stringify((await client(a).get<AlertsResponse>(`${API_PATHS.alerts}?peer=${id}`)).alerts.map((x) => [x.alertname, x.state, x.notifiedBy.map((m) => m.byName), x.notNotifiedBecause]))}`))
    assert.equal(firing.length, 1, `firing notifications about the victim: ${firing.length}; ${views.join('; ')}`)
    const body = firing[0]!
    assert.equal(body.version, '4')
    assert.equal(body.receiver, 'healthmon')
    assert.equal(body.groupLabels['alertname'], 'PeerDead')
    assert.equal(body.commonLabels['severity'], 'critical')
    assert.match(body.alerts[0]!.fingerprint, /^[0-9a-f]{16}$/)
    assert.equal(body.alerts[0]!.endsAt, '0001-01-01T00:00:00Z')
    assert.ok(!Number.isNaN(Date.parse(body.alerts[0]!.startsAt)))
    assert.match(body.alerts[0]!.annotations['summary'] ?? '', /is dead/)
    // Every survivor's view says who told.
    const told = new Set<string>()
    for (const a of survivors(victim)) {
      const r = await until(() => client(a).get<AlertsResponse>(`${API_PATHS.alerts}?peer=${id}&matcher=alertname%3DPeerDead`), (x) => (x.alerts[0]?.notifiedBy.length ?? 0) > 0, 10_000, `notifiedBy at ${a.name}`)
      for (const m of r.alerts[0]!.notifiedBy) told.add(m.by)
    }
    assert.equal(told.size, 1, `notifiedBy: ${[...told].join(', ')}`)

    await cluster.restart(victim)
    await until(async () => about(id, 'resolved').length, (n) => n >= 1, 40_000, 'the resolved notification')
    await new Promise((r) => setTimeout(r, GROUP_WAIT_MS + 5 * HANDOVER_MS))
    assert.equal(about(id, 'resolved').length, 1)
    assert.equal(about(id, 'firing').length, 1, 'still one firing notification')
  })

  test('a silence added on one agent holds on all; it and a firing alert survive a SIGKILL of that agent', async () => {
    const [taker, other] = [cluster.agents[0]!, cluster.agents[1]!]
    const victim = cluster.agents[4]!
    const victimName = victim.name
    const silence = await new ApiClient(defaultAdminSocketPath(taker.socket)).post<SilenceView>(API_PATHS.silences, { matchers: ['alertname=PeerDead', `peer=${victimName}`], duration: '1h', createdBy: 'test', comment: 'maintenance' })
    for (const a of cluster.agents.filter((x) => x !== taker)) {
      await until(() => client(a).get<SilencesResponse>(API_PATHS.silences), (r) => r.silences.some((s) => s.id === silence.id && s.status === 'active'), 15_000, `the silence at ${a.name} (its log: ${a.log.slice(-5).join(' | ')})`)
    }
    const before = receiver.requests
    await cluster.kill(victim)
    const id = ids.get(victim)!
    const muted = await until(() => client(other).get<AlertsResponse>(`${API_PATHS.alerts}?peer=${id}&matcher=alertname%3DPeerDead`), (r) => r.alerts[0]?.state === 'firing', 40_000, 'PeerDead for the silenced member')
    assert.deepEqual(muted.alerts[0]!.silencedBy, [silence.id])
    await new Promise((r) => setTimeout(r, GROUP_WAIT_MS + 2 * HANDOVER_MS))
    assert.equal(about(id, 'firing').length, 0, 'a silenced alert is never sent')
    assert.ok(receiver.requests >= before)

    // SIGKILL the agent that took the silence; it comes back with it and with the firing alert.
    const startedAt = (await client(taker).get<AlertsResponse>(`${API_PATHS.alerts}?peer=${id}&matcher=alertname%3DPeerDead`)).alerts[0]?.startsAt
    await cluster.kill(taker)
    await cluster.restart(taker)
    const kept = await client(taker).get<SilencesResponse>(API_PATHS.silences)
    assert.ok(kept.silences.some((s) => s.id === silence.id && s.status === 'active'), 'the silence survived SIGKILL')
    const alert = (await client(taker).get<AlertsResponse>(`${API_PATHS.alerts}?peer=${id}&matcher=alertname%3DPeerDead`)).alerts[0]
    assert.equal(alert?.state, 'firing', 'the firing alert survived SIGKILL')
    assert.equal(alert?.startsAt, startedAt, 'with its start time')
  })
})

describe('a receiver that hangs', { timeout: 120_000 }, () => {
  test('does not delay detection: with a notification hung in flight, the next SIGKILLed agent is dead everywhere as usual', async () => {
    const receiver = await startReceiver(() => 'hang')
    const cluster = new ProcessCluster({ size: 4, args: ['--config', alertingConfig(), '--alert-webhook', receiver.url] })
    try {
      await cluster.start()
      await cluster.waitUntil(cluster.agents, (v: ClusterView) => v.peers.length === 3 && v.peers.every((p) => p.state === 'alive'), 30_000)
      const [first, second] = [cluster.agents[3]!, cluster.agents[2]!]
      const secondId = (await cluster.view(second)).self.id
      await cluster.kill(first)
      // The PeerDead notification about the first goes out and hangs: nobody ever answers.
      await until(async () => receiver.requests, (n) => n >= 1, 40_000, 'a notification in flight')
      await cluster.kill(second)
      const survivors = cluster.agents.slice(0, 2)
      // The same bound as for agents without alerting (test/integration/agents.test.ts).
      const took = await cluster.waitUntil(survivors, (v) => v.peers.find((p) => p.id === secondId)?.state === 'dead', 20_000)
      assert.ok(took !== undefined, 'dead at both survivors while the receiver hangs')
      const view = await cluster.view(survivors[0]!)
      assert.equal(view.peers.filter((p) => p.state === 'dead').length, 2)
    } finally {
      await cluster.close()
      await receiver.close()
    }
  })
})
