import { mkdirSync } from 'node:fs'
import type { Config } from './config/schema.ts'
import { isLoopbackOnly } from './config/loopback.ts'
import { assessHealth } from './api/health.ts'
import type { ApiLimitOptions } from './api/limits.ts'
import type { ApiBackend } from './api/server.ts'
import { startApiServer, type ApiServer } from './api/socket-listener.ts'
import { sumStats } from './api/stats.ts'
import { startConfiguredHttpListener } from './api/http-start.ts'
import { viewBodyCacheFor } from './api/view-body-cache.ts'
import type { HttpListener } from './api/http-listener.ts'
import { resolveCheck } from './checks/check-config.ts'
import { CheckScheduler } from './checks/scheduler.ts'
import { withholdDeadAt } from './detector/awareness.ts'
import type { HealthEventEmitter } from './events.ts'
import { registerCheckMetrics } from './metrics/check-metrics.ts'
import { registerAlertMetrics } from './metrics/alert-metrics.ts'
import { AgentMetrics } from './metrics/agent-metrics.ts'
import { ClusterNode } from './node/cluster-node.ts'
import { nextIncarnation, writeIncarnation } from './node/incarnation-file.ts'
import { systemClock, type Clock } from './runtime/clock.ts'
import { createLogger, type Logger } from './runtime/logger.ts'
import { startLoopLagMonitor, type LoopLagMonitor } from './runtime/loop-lag.ts'
import { systemRandom, type Random } from './runtime/random.ts'
import { createLibp2pTransport } from './transport/libp2p-transport.ts'
import { HealthRuntime } from './daemon-health.ts'
import { loadClusterKey, loadOrCreateNodeKey } from './transport/node-key.ts'
import type { Timer } from './runtime/clock.ts'
import { VERSION } from './version.ts'
import { SdNotify } from './service/sd-notify.ts'
import { AlertRuntime, type AlertNotice, type AlertingGossip } from './daemon-alerts.ts'
import { CallbackDispatcher } from './notify/callbacks.ts'
import type { PeerFact } from './alerts/evaluator.ts'

/**
 * The composition root: the one place that wires real components together. It owns the data
 * dir (node key, incarnation counter), builds the libp2p transport, the ClusterNode, the socket
 * API and the event-loop lag monitor, and tears them down in reverse order.
 */
export interface DaemonDeps {
  config: Readonly<Config>
  logger?: Logger
  clock?: Clock
  random?: Random
  /** Whether to serve the unix socket API (on by default; off for embedded use without it). */
  serveApi?: boolean
  /** Overrides of the socket API's limits (src/api/limits.ts), e.g. short stream heartbeats in tests. */
  apiLimits?: ApiLimitOptions
  /**
   * Tell systemd (NOTIFY_SOCKET) when the agent is ready and stopping, and ping its watchdog.
   * Only `healthmon agent` does: an embedding program's readiness is its own business.
   */
  notifySystemd?: boolean
  /** The emitter the node emits its events on (default: the node's own). */
  events?: HealthEventEmitter
  /** Config warnings (unknown HEALTHMON_* variables...), logged right after the first line. */
  warnings?: readonly string[]
  /** Alert listeners registered before start (the embedding API's onAlert). */
  alertCallbacks?: CallbackDispatcher<AlertNotice>
}

export { VERSION }

export class Daemon {
  readonly config: Readonly<Config>
  readonly logger: Logger
  private readonly clock: Clock
  private readonly random: Random
  private readonly serveApi: boolean
  private readonly apiLimits: ApiLimitOptions
  private readonly warnings: readonly string[]
  private readonly events: HealthEventEmitter | undefined
  private readonly systemd: SdNotify | undefined
  private metricsValue: AgentMetrics | undefined
  private nodeValue: ClusterNode | undefined
  private checksValue: CheckScheduler | undefined
  private api: ApiServer | undefined
  private http: HttpListener | undefined
  /** The admin socket (check-ins, silences, force-leave: every write), served beside `api`. */
  private adminApi: ApiServer | undefined
  private lag: LoopLagMonitor | undefined
  private lagTimer: Timer | undefined
  private healthValue: HealthRuntime | undefined
  private alertsValue: AlertRuntime | undefined
  private lastLagMs = 0
  readonly alertCallbacks: CallbackDispatcher<AlertNotice>
  private state: 'new' | 'starting' | 'running' | 'stopping' | 'stopped' = 'new'

  constructor(deps: DaemonDeps) {
    this.config = deps.config
    this.logger = deps.logger ?? createLogger({ level: deps.config.logLevel })
    this.clock = deps.clock ?? systemClock()
    this.random = deps.random ?? systemRandom()
    this.serveApi = deps.serveApi ?? true
    this.apiLimits = deps.apiLimits ?? {}
    this.warnings = deps.warnings ?? []
    this.events = deps.events
    this.alertCallbacks = deps.alertCallbacks ?? new CallbackDispatcher((err) => this.logger.warn({ err }, 'an alert listener threw'))
    this.systemd = deps.notifySystemd === true ? new SdNotify({ clock: this.clock, logger: this.logger }) : undefined
  }

  /** The agent's Prometheus metrics; throws before start(). */
  get metrics(): AgentMetrics {
    if (this.metricsValue === undefined) throw new Error('the daemon is not started')
    return this.metricsValue
  }

  /** The read-only HTTP listener (config httpListen), while it serves; undefined when off. */
  get httpListener(): HttpListener | undefined {
    return this.http
  }

  /** The socket API's counters (read and admin sockets together), while it serves. */
  apiStats(): ReturnType<ApiServer['stats']> | undefined {
    return sumStats([this.api?.stats(), this.adminApi?.stats()])
  }

  /** The admin socket's path while it serves. */
  get adminSocketPath(): string | undefined {
    return this.adminApi?.socketPath
  }

  /** The running node; throws before start(). */
  get node(): ClusterNode {
    if (this.nodeValue === undefined) throw new Error('the daemon is not started')
    return this.nodeValue
  }

  /** The custom checks (config `checks`); throws before start(). */
  get checks(): CheckScheduler {
    if (this.checksValue === undefined) throw new Error('the daemon is not started')
    return this.checksValue
  }

  /** Alert rules, silences and notifications; throws before start(). */
  get alerts(): AlertRuntime {
    if (this.alertsValue === undefined) throw new Error('the daemon is not started')
    return this.alertsValue
  }

  get started(): boolean {
    return this.state === 'running'
  }

  async start(): Promise<void> {
    if (this.state !== 'new') return
    this.state = 'starting'
    const c = this.config
    const reach = isLoopbackOnly(c.listen)
      ? 'loopback only: agents on other hosts cannot reach it (see --listen and healthmon keygen for a cluster across hosts)'
      : c.clusterKeyFile !== '' ? 'reachable from other hosts; only holders of the cluster key can connect' : 'reachable from other hosts WITHOUT a cluster key (allowOpenCluster)'
    this.logger.info({ node: c.name, cluster: c.cluster, listen: c.listen, dataDir: c.dataDir, socket: c.socket }, `starting healthmon ${VERSION} on ${c.listen.join(', ')}: ${reach}`)
    for (const warning of this.warnings) this.logger.warn(warning)
    mkdirSync(c.dataDir, { recursive: true, mode: 0o700 })
    const privateKey = await loadOrCreateNodeKey(c.dataDir)
    // Collectors, validation, trends and the history database (opened here: a bad one stops start-up first).
    const health = new HealthRuntime({ config: c, clock: this.clock, logger: this.logger.child({ component: 'health' }), checks: () => this.checksValue?.reports() ?? [] })
    this.healthValue = health
    const transport = await createLibp2pTransport({
      privateKey,
      listen: [...c.listen],
      clusterKey: c.clusterKeyFile !== '' ? loadClusterKey(c.clusterKeyFile) : undefined,
      allowPeers: [...c.allowPeers],
      messageBytesMax: c.messageBytesMax,
      inboundConnectionsPerHostPerSecondMax: c.inboundConnectionsPerHostPerSecondMax,
      gossipIpColocationPenalty: c.gossipIpColocationPenalty,
      clock: this.clock,
      logger: this.logger
    }).catch((err: unknown) => {
      health.stop()
      throw err
    })
    const metrics = new AgentMetrics({ info: { cluster: c.cluster, name: c.name, version: VERSION } })
    this.metricsValue = metrics
    const node = new ClusterNode({
      transport,
      clock: this.clock,
      random: this.random,
      logger: this.logger.child({ component: 'node' }),
      options: c,
      incarnation: nextIncarnation(c.dataDir),
      persistIncarnation: (inc) => writeIncarnation(c.dataDir, inc),
      version: VERSION,
      instruments: metrics.instruments,
      events: this.events,
      health: (awareness) => health.nodeHealth.report(awareness),
      onPeerHealth: (peerId, summary, atMs) => health.trends.record(peerId, summary, atMs),
      peerTrend: (peerId) => health.trends.trend(peerId)
    })
    this.nodeValue = node
    metrics.attach({ node, api: () => this.apiStats(), http: () => this.http?.stats(), health, transport: () => transport.stats() })
    const checks = new CheckScheduler({
      checks: c.checks.map(resolveCheck),
      clock: this.clock,
      random: this.random.fork(),
      logger: this.logger.child({ component: 'checks' }),
      runsConcurrentMax: c.checkRunsConcurrentMax,
      outputBytesMax: c.checkOutputBytesMax,
      httpBodyBytesMax: c.checkHttpBodyBytesMax
    })
    this.checksValue = checks
    registerCheckMetrics(metrics.registry, checks)
    registerAlertMetrics(metrics.registry, () => this.alertsValue)
    // Perfdata goes through metric validation into history, like the collectors' samples.
    checks.onSamples((samples) => { health.admit(samples) })
    const alerts = this.makeAlerts(node, health, checks)
    this.alertsValue = alerts
    health.sampleSink = (samples) => alerts.admit(samples)
    // Members that join later, or missed a change, get the silences from the node's resend rounds.
    node.setAlertingSnapshot(() => ({ silences: alerts.silencesToGossip() }))
    try {
      // The socket first: a second agent on the same socket must stop before touching the network.
      const backend: ApiBackend = {
        view: () => node.clusterView(),
        peer: (idOrName) => node.peerDetail(idOrName),
        alerts,
        health: () => assessHealth(node.clusterView(), { max: c.awarenessMax, unhealthyAt: withholdDeadAt(c) }, alerts.activeAlerts().map((a) => ({
          alertname: a.rule, severity: a.severity, summary: a.annotations.summary ?? '',
          ...(a.subject.kind === 'peer' ? { peer: a.labels['peer'] ?? a.subject.id, peerId: a.subject.id } : {})
        }))),
        forceLeave: (idOrName) => {
          const m = node.peerDetail(idOrName)
          if (m === undefined) return { ok: false, reason: 'not-found' }
          const r = node.forceLeave(m.id, { cluster: true })
          if (!r.ok) return r.reason === 'alive' ? { ok: false, reason: 'alive', state: m.state } : { ok: false, reason: 'not-found' }
          return { ok: true, id: m.id, name: m.name, cluster: true }
        },
        events: node.eventLog,
        metrics: () => metrics.scrape(),
        checks,
        history: health.history === undefined ? undefined : (q) => health.query(q)
      }
      // One serialized view for all listeners (the read and admin sockets, the HTTP listener).
      const common = { ...this.apiLimits, clock: this.clock, backend, viewBodies: viewBodyCacheFor(backend, this.clock, this.apiLimits) }
      if (this.serveApi) {
        this.api = await startApiServer({
          ...common,
          socketPath: c.socket,
          socketGroup: c.socketGroup !== '' ? c.socketGroup : undefined,
          access: 'read',
          adminSocketPath: c.adminSocket,
          logger: this.logger.child({ component: 'api' })
        })
        this.adminApi = await startApiServer({
          ...common,
          socketPath: c.adminSocket,
          socketKey: 'adminSocket',
          access: 'admin',
          logger: this.logger.child({ component: 'api', socket: 'admin' })
        })
      }
      this.http = await startConfiguredHttpListener(c, { ...common, logger: this.logger.child({ component: 'http' }) })
      health.start()
      await node.start()
    } catch (err) {
      await this.http?.close()
      await this.adminApi?.close()
      await this.api?.close()
      health.stop()
      await transport.stop().catch(() => {})
      this.state = 'stopped'
      throw err
    }
    checks.start()
    alerts.start()
    this.lag = startLoopLagMonitor()
    this.lagTimer = this.clock.setInterval(() => {
      const lagMs = this.lag!.takeMaxMs()
      this.lastLagMs = lagMs
      node.reportEventLoopLag(lagMs)
      health.collectors.noteLoopDelay(lagMs)
    }, c.heartbeatIntervalMs)
    for (const address of c.expect) node.registerNode(address)
    this.state = 'running'
    this.systemd?.ready(`serving on ${transport.listenAddresses().join(', ')}; socket ${this.api?.socketPath ?? 'off'}; admin socket ${this.adminApi?.socketPath ?? 'off'}; http ${this.http?.url ?? 'off'}`)
    this.logger.info({ id: node.id, node: c.name, cluster: c.cluster, incarnation: node.incarnation, addrs: transport.listenAddresses(), socket: this.api?.socketPath, adminSocket: this.adminApi?.socketPath, http: this.http?.url }, 'agent started')
  }

  private makeAlerts(node: ClusterNode, health: HealthRuntime, checks: CheckScheduler): AlertRuntime {
    const c = this.config
    // The view settles before peer alerts count: a restarted agent first learns the cluster
    // again, and an alert restored as firing must not resolve because its peer is not known yet.
    const settleMs = 3 * c.suspicionTimeoutMs + c.antiEntropyIntervalMs
    const startedAt = this.clock.now()
    return new AlertRuntime({
      config: c,
      clock: this.clock,
      random: this.random.fork(),
      logger: this.logger.child({ component: 'alerts' }),
      db: health.db,
      callbacks: this.alertCallbacks,
      checks: () => checks.reports(),
      gossip: alertingGossipOf(node),
      cluster: {
        selfId: () => node.id,
        peers: (): PeerFact[] | undefined => {
          if (this.clock.now() - startedAt < settleMs || node.joinStatus().state === 'joining') return undefined
          return node.peers().map((p) => ({ id: p.id, name: p.name, state: p.state }))
        },
        observersOf: (s) => node.observersOf(s),
        isLive: (id) => node.isLiveMember(id),
        nameOf: (id) => (id === node.id ? c.name : node.members.get(id)?.name),
        facts: () => ({ eventLoopLagMs: this.lastLagMs, awareness: node.awarenessScore, isolated: node.isolated(), actorsStopped: node.stoppedActors() })
      }
    })
  }

  /** Stops; with `leave` (the default, as on SIGTERM/SIGINT) peers are told this node left. */
  async stop(options: { leave?: boolean } = {}): Promise<void> {
    if (this.state !== 'running') return
    this.state = 'stopping'
    const told = this.systemd?.stopping()
    this.lagTimer?.cancel()
    this.lag?.stop()
    await this.checksValue?.stop()
    await this.alertsValue?.stop()
    this.healthValue?.stop()
    await this.nodeValue?.stop({ leave: options.leave ?? true, leaveTimeoutMs: 1000 })
    await this.http?.close()
    await this.adminApi?.close()
    await this.api?.close()
    await told
    this.state = 'stopped'
    this.logger.info('agent stopped')
  }
}

/** The node's alerting gossip: marks and silences cluster-wide (src/node/alerting-gossip.ts). */
function alertingGossipOf(node: ClusterNode): AlertingGossip {
  return {
    publish: (update) => node.publishAlerting(update),
    subscribe: (listener) => node.onAlerting((u) => listener(u))
  }
}
