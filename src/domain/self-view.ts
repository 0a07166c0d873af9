/**
 * What this node says about itself (GET /v1/self) and the whole view it serves (GET /v1/view):
 * ClusterNode builds them, the API serializes them (src/api/protocol.ts re-exports them).
 */
import type { NodeStatus } from '../transport/codec.ts'
import type { PeerView } from './peer.ts'

/** One file system this node watches. */
export interface DiskUsage {
  mountpoint: string
  sizeBytes: number
  availBytes: number
  /** 100 - avail / size, percent. */
  usedPercent: number
  inodesUsedPercent: number
}

/** This node's latest resource reading (GET /v1/self). Each figure is null when not measured. */
export interface SelfResources {
  /** When it was taken (ISO 8601). */
  sampledAt: string
  cpuPercent: number | null
  /** CPU time by mode (user, nice, system, idle, iowait, irq, softirq, steal) over the last interval, percent; null on the first reading. */
  cpuPercentByMode: Record<string, number> | null
  memoryPercent: number | null
  memoryAvailableBytes: number | null
  memoryTotalBytes: number | null
  swapPercent: number | null
  load1: number | null
  load5: number | null
  load15: number | null
  cpus: number
  loadPerCore: number | null
  /** The fullest watched file system's use (space or inodes, whichever is higher), percent. */
  diskPercent: number | null
  disks: DiskUsage[]
}

export interface SelfView {
  id: string
  name: string
  cluster: string
  status: NodeStatus
  incarnation: number
  addrs: string[]
  /** Lifeguard local health score: 0 is healthy; timeouts are stretched by (1 + awareness). */
  awareness: number
  startedAt: string
  uptimeMs: number
  version: string
  /** Why `status` is what it is, worst first (checks, resource thresholds, awareness); empty when healthy. */
  reasons: string[]
  /** The latest resource reading; null before the first sample (or when resources are not measured). */
  resources: SelfResources | null
  checksFailing: number
  /** Ids of the checks not passing, worst first. */
  failingChecks: string[]
  /** The agent's process id (for `kill`, and to tell a restarted agent from the one before). */
  pid: number
  /**
   * The --join list's progress: `none` without one; `joining` until a join address answered
   * (with the attempts so far and the last error); `joined` after.
   */
  join: JoinStatus
}

export interface JoinStatus {
  state: 'none' | 'joining' | 'joined'
  addresses: string[]
  attempts: number
  lastError?: string
}

/** GET /v1/view and `healthmon status --json`. */
export interface ClusterView {
  self: SelfView
  peers: PeerView[]
  generatedAt: string
}
