import type { AlertNotice } from './daemon-alerts.ts'
import type { AlertEntry, PeerState, PeerSummary } from './domain/index.ts'
import type { NodeStatus } from './transport/codec.ts'
import { loadConfig, type ConfigSources } from './config/load.ts'
import type { ConfigInput } from './config/schema.ts'
import { Daemon } from './daemon.ts'
import { HealthmonError } from './errors.ts'
import { HealthEventEmitter, type HealthEvents } from './events.ts'
import { createLogger, silentLogger, type Logger } from './runtime/logger.ts'
import { parseJoinAddress } from './transport/join-address.ts'

/**
 * The embedding API, mirroring the seed's HealthMonitor: start(), stop(), registerNode(),
 * checkHealth() and event subscription. The `healthmon agent` command is a thin shell over it.
 */

/** The seed's HealthStatus: one member's state, its metrics, its alerts and its failure count. */
export interface HealthStatus {
  id: string
  name: string
  /** `self` for this node; otherwise this node's verdict on the peer. */
  state: PeerState | 'self'
  /** The member's own health summary (healthy, degraded, unhealthy), or unknown. */
  status: NodeStatus | 'unknown'
  metrics: {
    phi: number | null
    lastHeardMs: number | null
    observersAgree: number
    observersTotal: number
    incarnation: number
  }
  /** Alert log entries about this member, oldest first. */
  alerts: AlertEntry[]
  failureCount: number
  /** Its resource figures and failing checks (a peer's from its heartbeats); null when unknown. */
  summary: PeerSummary | null
}

export interface HealthMonitorOptions extends ConfigInput {
  /** A JSON or YAML config file, merged under these options. */
  configFile?: string
  /** Environment to read HEALTHMON_* from (defaults to process.env). */
  env?: NodeJS.ProcessEnv
  /**
   * Where the monitor logs (a pino logger, or anything with pino's child/level methods). Default:
   * silent, so an embedded monitor never writes to the host's stdout or stderr; give `logLevel`
   * instead to get the agent's JSON lines on stderr.
   */
  logger?: Logger
  /** Serve the unix socket API (default true). */
  serveApi?: boolean
}

export interface HealthMonitor {
  start(): Promise<void>
  /** Announces a graceful leave (unless `leave: false`) and stops. */
  stop(options?: { leave?: boolean }): Promise<void>
  /** An expected member, by address (multiaddr or host:port; JOIN_ADDRESS_INVALID otherwise): dialled until it answers, reported `missing` until then. */
  registerNode(address: string): void
  /** One member's health (by id or name; this node's own id or name gives `self`)... */
  checkHealth(peer: string): HealthStatus | undefined
  /** ...or every member's, this node first. */
  checkHealth(): HealthStatus[]
  /** Subscribes to an event (before or after start()); returns the unsubscribe function. */
  on<K extends keyof HealthEvents>(event: K, listener: (...args: HealthEvents[K]) => void): () => void
  /**
   * Alert transitions (pending, firing, resolved...) and the notifications this node sent, from
   * the alert rules (before or after start()). Runs outside the evaluation step: a listener that
   * throws or rejects is caught and counted (healthmon_alert_dropped_total{reason="listener_error"}).
   */
  onAlert(listener: (notice: AlertNotice) => void | Promise<void>): () => void
  /** This node's peer id (stable across restarts: the node key is in the data dir); after start(). */
  readonly id: string
}

export function createHealthMonitor(options: HealthMonitorOptions = {}): HealthMonitor {
  const { configFile, env, logger, serveApi, ...flags } = options
  const sources: ConfigSources = { flags, env, configFile }
  const config = loadConfig(sources)
  const events = new HealthEventEmitter()
  const daemon = new Daemon({ config, serveApi, events, logger: logger ?? (options.logLevel !== undefined ? createLogger({ level: options.logLevel }) : silentLogger()) })
  const pendingRegistrations: string[] = []
  let id: string | undefined
  const node = () => {
    if (!daemon.started) throw new HealthmonError('NOT_STARTED', 'call start() and wait for it before using the monitor')
    return daemon.node
  }

  const selfStatus = (): HealthStatus => {
    const n = node()
    const self = n.selfView()
    return {
      id: self.id, name: self.name, state: 'self', status: self.status,
      metrics: { phi: null, lastHeardMs: 0, observersAgree: 0, observersTotal: 0, incarnation: self.incarnation },
      alerts: [], failureCount: 0,
      summary: self.resources === null && self.checksFailing === 0 ? null : {
        cpuPercent: self.resources?.cpuPercent ?? null, memoryPercent: self.resources?.memoryPercent ?? null,
        diskPercent: self.resources?.diskPercent ?? null, loadPerCore: self.resources?.loadPerCore ?? null,
        checksFailing: self.checksFailing, failingChecks: self.failingChecks
      }
    }
  }
  const peerStatus = (idOrName: string): HealthStatus | undefined => {
    const n = node()
    const p = n.peerDetail(idOrName)
    if (p === undefined) return undefined
    return {
      id: p.id, name: p.name, state: p.state, status: p.status,
      metrics: { phi: p.phi, lastHeardMs: p.lastHeardMs, observersAgree: p.observers.agree, observersTotal: p.observers.total, incarnation: p.incarnation },
      alerts: n.alerts().filter((a) => a.peer === p.id),
      failureCount: p.failureCount,
      summary: p.summary
    }
  }

  function checkHealth(peer: string): HealthStatus | undefined
  function checkHealth(): HealthStatus[]
  function checkHealth(peer?: string): HealthStatus | undefined | HealthStatus[] {
    const n = node()
    if (peer === undefined) return [selfStatus(), ...n.clusterView().peers.map((p) => peerStatus(p.id)!).filter(Boolean)]
    const self = n.selfView()
    if (peer === self.id || peer === self.name) return selfStatus()
    return peerStatus(peer)
  }

  return {
    async start() {
      await daemon.start()
      id = daemon.node.id
      for (const address of pendingRegistrations.splice(0)) daemon.node.registerNode(address)
    },
    stop: (opts) => daemon.stop(opts),
    registerNode(address) {
      parseJoinAddress(address)
      if (daemon.started) daemon.node.registerNode(address)
      else pendingRegistrations.push(address)
    },
    checkHealth,
    on(event, listener) {
      // The node emits on this emitter, so listeners added before start() hear everything.
      // An embedder's listener runs on its own microtask, outside the peer actor or view
      // update that emitted: however long it takes or whatever it throws (caught, counted in
      // listenerErrors, logged), detection goes on.
      const deferred = (...args: unknown[]): void => {
        queueMicrotask(() => events.callListener(event, listener as (...a: unknown[]) => void, args))
      }
      // EventEmitter's generic signature cannot relate K to its listener type; the map is the same.
      const emitter = events as unknown as { on(e: string, l: (...args: unknown[]) => void): void; off(e: string, l: (...args: unknown[]) => void): void }
      emitter.on(event, deferred)
      return () => { emitter.off(event, deferred) }
    },
    onAlert(listener) {
      return daemon.alertCallbacks.on((notice) => { queueMicrotask(() => daemon.alertCallbacks.dispatchTo(listener, notice)) })
    },
    get id() {
      if (id === undefined) throw new HealthmonError('NOT_STARTED', 'the peer id is known once start() resolved')
      return id
    }
  }
}
