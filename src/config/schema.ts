import { z } from 'zod'
import { checksSchema } from '../checks/check-config.ts'
import { alertConfigShape } from '../alerts/settings.ts'

/**
 * Every agent option, declared once. Names end in their unit. Each comment says what the option
 * controls, the formula it feeds and the trade-off; presets in profiles.ts override only what
 * differs. The schema is strict: an unknown key is an error, so a typo never silently falls back
 * to a default.
 */
const ms = (min: number, max: number) => z.number().int().min(min).max(max)
const count = (min: number, max: number) => z.number().int().min(min).max(max)

export const configSchema = z.strictObject({
  /** Preset the other defaults come from: `lan` (default), `wan`, `local-test` (loopback, tests). */
  profile: z.enum(['lan', 'wan', 'local-test']).default('lan'),

  /** Human name shown in views; defaults to the host name. Not required to be unique, ids are. */
  name: z.string().min(1).max(128),
  /**
   * Cluster name. Messages from other clusters are rejected; it also names the gossip topics and
   * the default socket, so several clusters can share hosts.
   */
  cluster: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'must be 1-63 letters, digits, "_", "." or "-", starting with a letter or digit'),
  /**
   * Multiaddrs to listen on. The default, /ip4/127.0.0.1/tcp/7946, is reachable from this host
   * only: right for a try-out. A cluster across hosts listens on a routable address (e.g.
   * /ip4/0.0.0.0/tcp/7946), which requires clusterKeyFile or allowOpenCluster. Port 0 picks a
   * free port.
   */
  listen: z.array(z.string().min(1)).min(1).max(16),
  /**
   * Members to join: multiaddrs with or without /p2p/<id>, or host:port. Retried with backoff
   * (joinRetryIntervalMsMin doubling up to joinRetryIntervalMsMax) until one succeeds, and again
   * whenever the node has no connected peers.
   */
  join: z.array(z.string().min(1)).max(256),
  /** Unix socket of the local API; empty means the default rule (see README). */
  socket: z.string(),
  /**
   * The admin socket: the only one that serves requests that change state (check-ins, silences,
   * force-leave). Mode 0600, so only the agent's user and root can connect. Empty: next to
   * `socket`, `x.sock` -> `x.admin.sock` (the CLI derives it the same way).
   */
  adminSocket: z.string(),
  /**
   * Group (name or numeric gid) given the socket file, whose members may then query the agent
   * (the file is mode 0660, its directory 0750). Empty: the agent's own primary group. The
   * agent must be a member of the group (or root) to hand the socket over to it.
   */
  socketGroup: z.string().regex(/^([A-Za-z_][A-Za-z0-9_.-]{0,31}\$?|\d{1,10})?$/, 'must be a group name or a numeric gid'),
  /** Where the node key, incarnation counter and history live; empty means the default rule. */
  dataDir: z.string(),
  /**
   * Optional file holding a libp2p pre-shared key (pnet, "/key/swarm/psk/1.0.0/" format). With it,
   * only nodes holding the same key can even complete a connection handshake.
   */
  clusterKeyFile: z.string(),
  /**
   * Listen beyond loopback without a cluster key. Off by default: without a key, anyone who can
   * reach the port can join and report on every member. Set it only on a network where every
   * host that can reach the port is trusted.
   */
  allowOpenCluster: z.boolean(),
  /**
   * Optional read-only HTTP listener (Prometheus, probes, the dashboard), as host:port, e.g.
   * 127.0.0.1:9746; empty (the default) serves none. Checked in src/config/http-listen.ts: beyond
   * loopback it needs httpTokenFile or httpAllowUnauthenticated.
   */
  httpListen: z.string(),
  /** File whose first line is the bearer token the HTTP listener requires; empty: no token. */
  httpTokenFile: z.string(),
  /** Serve httpListen beyond loopback without a token (a trusted network only). */
  httpAllowUnauthenticated: z.boolean(),
  /** Optional allow-list of peer ids; when non-empty, connections from any other peer are refused. */
  allowPeers: z.array(z.string().min(1)).max(10_000),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),

  /**
   * How often this node publishes its heartbeat. Detection time scales with it (suspect after
   * about interval + phi margin, dead about suspicionTimeoutMs later); bandwidth scales with its
   * inverse: each node receives about observersPerSubject heartbeats per interval.
   */
  heartbeatIntervalMs: ms(50, 60_000),
  /**
   * Phi (Hayashibara et al.) at which an observer suspects its subject. phi = -log10(P(a
   * heartbeat this late)): 8 means a 1e-8 chance that a healthy peer is this late under the
   * observed arrival distribution. Lower detects sooner but suspects more healthy peers.
   */
  phiSuspectThreshold: z.number().min(1).max(50),
  /** Inter-arrival samples kept per subject for phi's mean and deviation; older ones drop. */
  detectorWindowSamplesMax: count(2, 10_000),
  /**
   * Floor on the standard deviation phi uses. On a quiet LAN the measured deviation is a few ms,
   * which would make phi jump to the threshold on the first jitter; the floor sets the margin
   * (suspect at about interval + 5.2 x this at phi 8).
   */
  detectorMinStdDevMs: ms(1, 60_000),
  /**
   * Extra silence tolerated before phi rises (added to the mean interval): absorbs GC pauses,
   * bursts and a lost heartbeat. The default 500 ms puts phi 8 at about 2 s of silence with 1 s
   * heartbeats (suspect within 2.5 s of a crash), and under 10 % loss, once the window has
   * learned the loss, at about 3.3 s, so two heartbeats lost in a row do not raise a suspicion.
   */
  acceptableHeartbeatPauseMs: ms(0, 600_000),
  /** Assumed inter-arrival time before any sample exists; 0 means heartbeatIntervalMs. */
  firstHeartbeatEstimateMs: ms(0, 600_000),
  /**
   * How long a subject stays suspect before the observer declares it dead. Must exceed the longest
   * stop-the-world pause a healthy process may take (a 3 s SIGSTOP survives the default).
   * Stretched by local health awareness. Longer means fewer false deaths, slower dead verdicts.
   */
  suspicionTimeoutMs: ms(0, 3_600_000),
  /**
   * Suspicion timeout once a direct probe found the subject refusing connections (its process is
   * gone while its host answers): strong independent evidence, so the wait shrinks to this.
   */
  suspicionTimeoutMsMin: ms(0, 3_600_000),
  /**
   * The floor the suspicion timeout falls to as the subject's other observers confirm it
   * (Lifeguard's dynamic suspicion: suspicionTimeoutMs - (suspicionTimeoutMs - this) x
   * log(C + 1) / log(k), C confirmations of k - 1). Confirmations are not independent of a
   * pause (every observer hears the same silence), so this must still outlast the longest
   * pause a healthy process may take (capped at suspicionTimeoutMs): suspicion starts after about 3 s of silence, a 3 s pause
   * can silence a node for up to 4 s (pause plus one heartbeat interval), hence 1.25 s. Lower
   * detects a hung host sooner and tolerates shorter pauses.
   */
  suspicionTimeoutMsConfirmedMin: ms(0, 3_600_000),
  /**
   * Flap damping (BGP route-flap damping; src/view/flap-damping.ts): once this node's view has
   * raised flapAlarmsMax alarms about a member (alive -> suspect or dead) within flapWindowMs, the
   * member's next recovery is held as `suspect` (reason "flapping") until it has been alive,
   * unsuspected, for flapHoldDownMs: a sick node on an 80 %-loss link raises flapAlarmsMax
   * alarms, not one per lost heartbeat. Detection goes on meanwhile: a held member that dies is
   * shown dead at once. A longer hold-down damps intermittent flapping harder but keeps a node
   * that really recovered (a healed partition) suspect for longer.
   * 0 turns damping off. Lower damps sooner; a longer hold-down shows a recovered node suspect
   * for longer.
   */
  flapAlarmsMax: count(0, 100),
  flapWindowMs: ms(1000, 86_400_000),
  flapHoldDownMs: ms(0, 86_400_000),
  /**
   * A held (flapping) member counts as steady only while this node's phi for it stays below
   * this (its observers' test; others go by the verdicts they hear). 3 is a heartbeat about a
   * second overdue on a quiet LAN, never reached by a healthy peer, often by one on a lossy link.
   * Lower releases only a cleaner link, so a sick node stays held longer; at or above
   * phiSuspectThreshold it no longer adds anything to "not suspected again".
   */
  flapSteadyPhiMax: z.number().min(0).max(50),
  /** Time a direct probe (libp2p ping) may take before it counts as unanswered. */
  probeTimeoutMs: ms(10, 60_000),
  /**
   * Extra time the detector waits past probeTimeoutMs for a probe's result before it takes the
   * probe as unanswered (the probe wait is probeTimeoutMs + this): the transport gives up at
   * probeTimeoutMs and its answer still has to come back through the actor's mailbox. Larger
   * never mistakes a late result for silence, at that much later a suspicion of a hung host.
   */
  probeResultMarginMs: ms(0, 60_000),
  /**
   * Answered probes without a heartbeat in between before the subject is suspected anyway (a
   * one-way link: it answers, but its heartbeats are lost). Each answered probe buys another
   * heartbeatIntervalMs for a heartbeat to arrive. More tolerates longer heartbeat loss without
   * a suspicion, at that many intervals later a suspicion of a node whose heartbeats really stopped
   * while its process still answers; 1 suspects one interval after the first answered probe (the
   * probe before suspicion is always sent). Never dead while it answers, whatever this is.
   */
  okProbesMax: count(1, 100),
  /**
   * The heartbeat gap cap: inter-arrival gaps are learned by the phi window as at most this many
   * heartbeatIntervalMs (a longer gap is sampled at the cap). One or two lost heartbeats are the
   * network's normal behaviour under loss and should widen the margin (no suspicion on every lost
   * packet), while a long outage must not blunt detection for the whole window. Higher learns
   * loss bursts better, at slower detection after an outage was learned; 1 learns no loss.
   */
  heartbeatGapIntervalsMax: z.number().min(1).max(100),
  /**
   * Silence tolerated before a newly observed subject's first heartbeat, on top of phi's margin,
   * in heartbeatIntervalMs: a new member needs a connection and a gossip subscription before its
   * first heartbeat reaches this node. Longer never suspects a slow joiner, at that much later a
   * suspicion of a member that died before its first heartbeat.
   */
  firstHeartbeatGraceIntervals: z.number().min(0).max(100),
  /**
   * k: observers per subject, from k hash rings (Rapid). Each node receives about k heartbeats
   * per interval whatever the cluster size; more observers tolerate more observer failures and
   * agree faster on dead, at k times the heartbeat traffic. With k+1 members or fewer everyone
   * observes everyone.
   */
  observersPerSubject: count(1, 64),
  /**
   * Period of the anti-entropy member exchange with one random peer. It repairs membership that
   * gossip missed; shorter converges sooner after partitions at the cost of one request per period.
   */
  antiEntropyIntervalMs: ms(100, 3_600_000),
  /** First retry delay for joins and reconnects; doubles on each failure up to the max. */
  joinRetryIntervalMsMin: ms(10, 600_000),
  joinRetryIntervalMsMax: ms(10, 3_600_000),
  /**
   * Lifeguard local health awareness: the score rises when this node's own heartbeat timer fires
   * late or the event loop lags past eventLoopLagMsMax, and falls by one on each timely heartbeat.
   * Timeouts are multiplied by (1 + score); at awarenessMax the node withholds dead verdicts.
   */
  awarenessMax: count(0, 32),
  eventLoopLagMsMax: ms(10, 60_000),
  /**
   * How often to try reconnecting to one member this node believes dead (Serf's
   * reconnect_interval). It is how two sides of a healed partition find each other again, since
   * nobody dials a dead member otherwise. Shorter heals sooner, at one dial per period.
   */
  reconnectIntervalMs: ms(100, 3_600_000),
  /** Forget dead or left members after this long (Serf's reconnect_timeout is 24 h). */
  reapAfterMs: ms(1_000, 30 * 24 * 3_600_000),
  /**
   * Trust: how far above the highest incarnation a member has stated itself a claim about it (a
   * verdict, a digest row) may be; further claims are rejected and counted (incarnation-ahead).
   * The margin covers a refutation whose signed record has not reached this node yet; a larger
   * one lets a hostile member force more needless refutations. About this node itself the
   * margin is always zero. Unit: incarnations.
   */
  incarnationAheadMax: count(0, 1000),
  /**
   * Trust: unknown members one anti-entropy exchange may introduce (each with its own signed
   * record), and signatures it may check; the rest are dropped and counted (digest-budget) and
   * arrive with later exchanges. Higher lets a joining node learn a large cluster in fewer
   * exchanges (a 1,000-member cluster in 4 at 256); lower caps what one hostile digest can add
   * and the CPU it costs (about 50 µs per Ed25519 check). Unit: members per exchange.
   */
  digestNewMembersMax: count(1, 100_000),
  /**
   * Trust: least time between two refutations (SWIM: a claim that this node is dead is refuted
   * with claim + 1). A claim inside the interval is refuted when it ends, so a repeated claim
   * cannot make this node re-announce itself in a storm; longer bounds the storm harder and
   * delays a genuine refutation by up to this much.
   */
  refutationIntervalMsMin: ms(0, 600_000),

  /** Limit: messages an actor mailbox holds; further ones are dropped and counted. */
  mailboxLengthMax: count(1, 1_000_000),
  /**
   * The actor restart budget (Erlang/OTP's intensity and period): a peer actor whose behaviour
   * throws is restarted with fresh state up to actorRestartsMax times within actorRestartWindowMs;
   * the next failure in the window parks it (its peer goes unobserved by this node, counted in
   * healthmon_actors_stopped). A larger budget keeps observing through more bad input, at more
   * wasted work (and log lines) for an actor that fails on every message; 0 parks an actor at
   * its first failure.
   */
  actorRestartsMax: count(0, 1000),
  actorRestartWindowMs: ms(0, 86_400_000),
  /**
   * Cooldown before a parked actor is restarted: actorReviveAfterMsMin, doubling on each further
   * parking up to actorReviveAfterMsMax (and back to the minimum once it has run that long
   * without being parked). Long enough that a peer whose data keeps crashing its actor costs a
   * few failures per cooldown; short enough that a transient cause (a bad message burst) leaves
   * that peer unobserved for half a minute, not for good.
   */
  actorReviveAfterMsMin: ms(1, 86_400_000),
  actorReviveAfterMsMax: ms(1, 86_400_000),
  /** Limit: encoded size of a wire message; larger ones are rejected and counted. */
  messageBytesMax: count(256, 1_048_576),
  /** Limit: members tracked; joins beyond it are refused and counted. */
  membersMax: count(1, 100_000),
  /** Limit: state changes kept per peer for its history (0: none kept, GET /v1/peers/{peer} shows an empty history). */
  peerHistoryMax: count(0, 10_000),
  /** Limit: entries kept in the local alert log (oldest dropped first). */
  alertLogMax: count(1, 1_000_000),
  /** Limit: events kept for GET /v1/events (oldest dropped first; ids keep increasing). */
  eventLogMax: count(1, 1_000_000),
  /**
   * libp2p accepts only this many inbound connections per second from one host (default 5).
   * On loopback every agent is the same host, so the local-test profile raises it.
   */
  inboundConnectionsPerHostPerSecondMax: count(1, 100_000),
  /**
   * Whether gossipsub's IP-colocation penalty applies. It protects against Sybils sharing an IP,
   * but on loopback every peer shares 127.0.0.1 and the penalty empties the mesh beyond 10 peers.
   */
  gossipIpColocationPenalty: z.boolean(),

  /**
   * Custom checks (exec in the Nagios plugin convention, http, tcp, ttl), each with its own
   * interval, timeout and damping: see src/checks/check-config.ts. Default: none.
   */
  checks: checksSchema,
  /**
   * Limit: exec checks running at once. A run due while all slots are busy waits (first come,
   * first served; each check has at most one run waiting, so the queue is bounded by the number
   * of checks) and is counted; its timeout starts when it starts. More slots finish a burst of
   * slow plugins sooner, at more processes at once on a busy host.
   */
  checkRunsConcurrentMax: count(1, 64),
  /**
   * Limit: bytes of an exec check's stdout (and, separately, stderr) kept per run; the rest is
   * read and discarded so the plugin never blocks on a full pipe. 4 KiB is what NRPE and Nagios
   * keep of a plugin's output; larger keeps longer long-output at that much memory per check.
   * Also the largest TTL check-in note.
   */
  checkOutputBytesMax: count(256, 1_048_576),
  /**
   * Limit: bytes of an http check's response body read and searched for expectBody; the rest is
   * not read (without expectBody the body is not read at all). Larger lets expectBody match
   * further into a big page, at up to that much memory per http check running.
   */
  checkHttpBodyBytesMax: count(1024, 16 * 1_048_576),
  /**
   * Members that must exist, by address (multiaddr or host:port, as for join; flag --expect,
   * repeatable). Each is dialled until it answers and shown `missing` in the view until then,
   * so an operator sees a node that never came up, not just one that died.
   */
  expect: z.array(z.string().min(1)).max(256),

  /**
   * Period of the resource sampler (CPU, load, memory, disks, file descriptors, PSI, event
   * loop): the resolution of resource history and of the figures heartbeats carry. Shorter
   * reacts sooner at about 1-2 ms of CPU per reading.
   */
  healthSampleIntervalMs: ms(1000, 3_600_000),
  /** Paths whose file systems are watched (space and inodes); empty means the data dir's and /. */
  healthDiskPaths: z.array(z.string().min(1)).max(32),
  /** Node status: free disk space or inodes (percent) below which the node is degraded / unhealthy (node-mixin: 10 / 5). */
  diskFreePercentWarning: z.number().min(0).max(100),
  diskFreePercentCritical: z.number().min(0).max(100),
  /** Node status: memory used (percent of total, from MemAvailable) above which it is degraded / unhealthy (node-mixin warns at 90). */
  memoryUsedPercentWarning: z.number().min(0).max(100),
  memoryUsedPercentCritical: z.number().min(0).max(100),
  /** Node status: load1 per CPU above which it is degraded / unhealthy (node-mixin's saturation alert: 2). */
  loadPerCoreWarning: z.number().min(0).max(1000),
  loadPerCoreCritical: z.number().min(0).max(1000),
  /**
   * Whether metric history is kept in SQLite (healthmon.db in the data dir). Off: no database,
   * GET /v1/metrics/history answers 503.
   */
  historyEnabled: z.boolean(),
  /**
   * How often history is written to SQLite. A SIGKILL loses at most this much history; each
   * flush is one transaction (about 1-3 ms for a node's ~45 series).
   */
  historyFlushIntervalMs: ms(1000, 3_600_000),
  /** Limit: metric series kept in history (name + labels; at most 65,535: a point's key holds the series id in 16 bits); new series beyond are refused and counted. */
  historySeriesMax: count(1, 65_535),

  /** Alerting: rules, grouping, silences, receivers (documented in src/alerts/settings.ts). */
  ...alertConfigShape
})

export type Config = z.infer<typeof configSchema>
export type ConfigInput = Partial<Config>
