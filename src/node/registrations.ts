import type { Joiner, JoinerOptions } from '../membership/joiner.ts'
import type { Clock, Timer } from '../runtime/clock.ts'

/**
 * Expected members registered by address (the seed's register_node): each is dialled with
 * backoff until it answers, and reported `missing` if it has not answered within the grace
 * period. Once reached it is an ordinary member, watched by its observers like any other.
 */
export interface RegistrationsDeps {
  clock: Clock
  /** Time a registered member has to answer before it is reported missing. */
  graceMs: number
  /** Builds the dialler for one address (backoff, retries: see Joiner). */
  joiner(options: Pick<JoinerOptions, 'addresses' | 'isConnected' | 'onJoined'>): Joiner
  isConnected(peerId: string): boolean
  onMissing(address: string): void
  onReached(address: string, peerId: string): void
}

interface Registration {
  joiner: Joiner
  missingTimer: Timer
  peerId: string | undefined
}

export class Registrations {
  private readonly entries = new Map<string, Registration>()
  private readonly deps: RegistrationsDeps

  constructor(deps: RegistrationsDeps) {
    this.deps = deps
  }

  /** Registers an address (idempotent); dialling starts now when `running`, else on startAll(). */
  register(address: string, running: boolean): void {
    if (this.entries.has(address)) return
    const entry: Registration = { joiner: undefined as unknown as Joiner, missingTimer: undefined as unknown as Timer, peerId: undefined }
    entry.joiner = this.deps.joiner({
      addresses: [address],
      isConnected: () => entry.peerId !== undefined && this.deps.isConnected(entry.peerId),
      onJoined: (peerId) => {
        entry.peerId = peerId
        this.deps.onReached(address, peerId)
      }
    })
    entry.missingTimer = this.deps.clock.setTimeout(() => {
      if (entry.peerId === undefined) this.deps.onMissing(address)
    }, this.deps.graceMs)
    this.entries.set(address, entry)
    if (running) entry.joiner.start()
  }

  startAll(): void {
    for (const r of this.entries.values()) r.joiner.start()
  }

  stopAll(): void {
    for (const r of this.entries.values()) {
      r.joiner.stop()
      r.missingTimer.cancel()
    }
  }
}
