import type { Supervisor } from '../actors/supervisor.ts'
import type { ActorRef } from '../actors/actor.ts'
import { peerBehaviour, type PeerActorEnv, type PeerMessage } from '../actors/peer-actor.ts'
import { currentPhi, type PeerState } from '../detector/peer-state.ts'
import { lastArrivalMs } from '../detector/phi.ts'
import { buildObserverRings, type ObserverRings } from '../membership/rings.ts'
import type { MemberState } from '../transport/codec.ts'
import type { OwnVerdict } from '../view/local-view.ts'

/**
 * Who this node observes and who observes it (Rapid's k rings, src/membership/rings.ts), and the
 * PeerActor of each subject it observes. `rebuild()` recomputes the rings from the member list and
 * returns what changed, so the caller can resubscribe heartbeat topics and refresh the view.
 */
export interface ObservationChange {
  started: string[]
  stopped: string[]
}

interface Observed {
  ref: ActorRef<PeerMessage>
  dispose: () => void
  latest: PeerState | undefined
}

export class Observation {
  private rings: ObserverRings
  private readonly observed = new Map<string, Observed>()
  private readonly selfId: string
  private readonly k: number
  private readonly supervisor: Supervisor
  private readonly env: PeerActorEnv
  /** neighbours(), computed once per ring change (it is asked once a second). */
  private neighboursCache: ReadonlySet<string> | undefined

  constructor(options: { selfId: string; k: number; supervisor: Supervisor; env: PeerActorEnv }) {
    this.selfId = options.selfId
    this.k = options.k
    this.supervisor = options.supervisor
    this.env = options.env
    this.rings = buildObserverRings({ k: this.k, live: [this.selfId], all: [this.selfId] })
  }

  observersOf(subject: string): readonly string[] {
    return this.rings.observersOf(subject)
  }

  /** The members this node sends heartbeats to (its observers) and receives them from (its subjects). */
  neighbours(): ReadonlySet<string> {
    this.neighboursCache ??= new Set([...this.rings.observersOf(this.selfId), ...this.observed.keys()])
    return this.neighboursCache
  }

  isObserving(subject: string): boolean {
    return this.observed.has(subject)
  }

  subjects(): string[] {
    return [...this.observed.keys()]
  }

  /** The subject's latest state from its actor, when this node observes it. */
  stateOf(subject: string): PeerState | undefined {
    return this.observed.get(subject)?.latest
  }

  /** This node's own verdict on a subject it observes (what the local view shows of it), else undefined. */
  verdictOf(subject: string): OwnVerdict | undefined {
    const st = this.stateOf(subject)
    if (st === undefined) return undefined
    const now = this.env.clock.now()
    return { state: st.state, phi: currentPhi(st, now, this.env.options), lastHeardAtMs: lastArrivalMs(st.detector), status: st.health?.status, health: st.health, incarnation: st.incarnation, failureCount: st.failureCount }
  }

  /** Called by the actor environment after each step. */
  recordState(subject: string, state: PeerState): void {
    const o = this.observed.get(subject)
    if (o !== undefined) o.latest = state
  }

  send(subject: string, message: PeerMessage): boolean {
    return this.observed.get(subject)?.ref.send(message) ?? false
  }

  /**
   * Recomputes the rings. `live` are members this node believes alive or suspect (self included);
   * `all` are the members that still need observing (not left). `seedOf` gives a new actor its
   * starting incarnation and state.
   */
  rebuild(live: readonly string[], all: readonly string[], seedOf: (id: string) => { incarnation: number; state: MemberState }): ObservationChange {
    this.rings = buildObserverRings({ k: this.k, live, all, previous: this.rings })
    this.neighboursCache = undefined
    const wanted = new Set(this.rings.subjectsOf(this.selfId).filter((s) => s !== this.selfId))
    const started: string[] = []
    const stopped: string[] = []
    for (const id of [...this.observed.keys()]) {
      if (!wanted.has(id)) {
        this.stop(id)
        stopped.push(id)
      }
    }
    for (const id of wanted) {
      if (this.observed.has(id)) continue
      this.start(id, seedOf(id))
      started.push(id)
    }
    return { started, stopped }
  }

  stopAll(): void {
    for (const id of [...this.observed.keys()]) this.stop(id)
  }

  private start(id: string, seed: { incarnation: number; state: MemberState }): void {
    this.neighboursCache = undefined
    const entry: Observed = { ref: undefined as unknown as ActorRef<PeerMessage>, dispose: () => {}, latest: undefined }
    this.observed.set(id, entry)
    entry.ref = this.supervisor.spawn<PeerMessage>(`peer:${id}`, () => {
      // Called again on restart: the old behaviour's timer is cancelled, the new one starts from
      // the last known incarnation (its detector history is lost, which only delays a verdict).
      entry.dispose()
      const incarnation = entry.latest?.incarnation ?? seed.incarnation
      const behaviour = peerBehaviour(id, { incarnation, state: entry.latest?.state ?? seed.state }, this.env, (m) => { entry.ref.send(m) })
      entry.dispose = behaviour.dispose
      return behaviour
    })
  }

  private stop(id: string): void {
    const o = this.observed.get(id)
    if (o === undefined) return
    this.neighboursCache = undefined
    o.dispose()
    this.observed.delete(id)
    void this.supervisor.stop(`peer:${id}`)
  }
}
