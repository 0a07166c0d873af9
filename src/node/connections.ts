import type { Member, MemberTable } from '../membership/member-table.ts'
import type { Clock } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'
import type { Random } from '../runtime/random.ts'
import type { Transport } from '../transport/types.ts'

/**
 * Which peers this node keeps connections to. Heartbeat topics are direct-only (a subject floods
 * its heartbeat to the observers it is connected to, nobody relays), so every node keeps a
 * connection to each of its observers and subjects, the "neighbours". Dead members are dialled
 * too, one per reconnectIntervalMs (Serf's reconnect): otherwise nobody would ever dial a member
 * believed dead, and the two sides of a healed partition would never find each other again.
 */
export interface ConnectionsDeps {
  transport: Transport
  members: MemberTable
  clock: Clock
  random: Random
  logger: Logger
  reconnectIntervalMs: number
  /** Members this node sends heartbeats to or receives them from. */
  neighbours(): Iterable<string>
  /** A live member: not left and not dead in this node's view. */
  isLive(m: Member): boolean
  /** The members this node's view shows dead (LocalView.deadIds). */
  deadIds(): ReadonlySet<string>
  /** Called once a dead member answered a reconnect. */
  onReconnected(peerId: string): void
}

export class Connections {
  private readonly deps: ConnectionsDeps
  private nextReconnectAtMs = 0

  constructor(deps: ConnectionsDeps) {
    this.deps = deps
  }

  /** Dials every live neighbour not connected yet (fire and forget; failures are retried next time). */
  connectNeighbours(): void {
    const { transport, members, logger } = this.deps
    for (const id of this.deps.neighbours()) {
      // Asked every second: a connected neighbour (nearly all of them) costs one lookup.
      if (transport.isConnected(id)) continue
      const m = members.get(id)
      if (m === undefined || !this.deps.isLive(m) || m.addrs.length === 0) continue
      transport.connect(id, m.addrs).catch((err: unknown) => logger.debug({ err, peer: id }, 'connect failed'))
    }
  }

  /** Once per reconnectIntervalMs, dials one member believed dead. */
  reconnectDead(): void {
    const now = this.deps.clock.now()
    if (now < this.nextReconnectAtMs) return
    this.nextReconnectAtMs = now + this.deps.reconnectIntervalMs
    const target = this.deps.random.pick(this.deadCandidates())
    if (target === undefined) return
    this.deps.transport.connect(target.id, target.addrs).then(
      () => this.deps.onReconnected(target.id),
      (err: unknown) => this.deps.logger.debug({ err, peer: target.id }, 'reconnect to a dead member failed')
    )
  }

  /**
   * Dead members to reconnect to, in table order (the order the random pick is made from). With
   * none or one dead, the view's set gives the same list as a scan of the table, which every node
   * would otherwise make every interval. Random.pick takes nothing from the stream for an empty
   * list, so the shortcut changes no later choice.
   */
  private deadCandidates(): Member[] {
    const { transport, members } = this.deps
    const wanted = (m: Member | undefined): m is Member => m !== undefined && !m.left && m.addrs.length > 0 && !transport.isConnected(m.id)
    const deadIds = this.deps.deadIds()
    if (deadIds.size <= 1) {
      const [only] = deadIds
      const m = only === undefined ? undefined : members.get(only)
      return wanted(m) ? [m] : []
    }
    // One pass over the table, no copy of it; most members are alive, so the dead set is asked first.
    const dead: Member[] = []
    for (const m of members.all()) if (deadIds.has(m.id) && wanted(m)) dead.push(m)
    return dead
  }
}
