/**
 * Flap damping for a genuinely sick member (BGP route-flap damping, RFC 2439; Rapid's stable
 * membership). A member on an 80 %-loss link or an overloaded host goes suspect, recovers, goes
 * suspect again, at every node's view, and every such flip is an alarm. So a view that has
 * raised `alarmsMax` alarms about a member (shown alive -> suspect or dead) within `windowMs`
 * holds its next recovery: it goes on showing `suspect` (reason "flapping") until the verdict
 * underneath (this node's own detector, or the observers' reports) has said alive, without a
 * new suspicion and (when this node observes it) without a late heartbeat, for `holdDownMs`.
 * A member that keeps flipping so stays suspect, raising
 * `alarmsMax` alarms per window at one node, not one per flip; one that flips with quiet spells
 * longer than the hold-down can raise more (a longer hold-down bounds that tighter, at a slower
 * return to alive after a real recovery: a partition's heal, say).
 *
 * Nothing is hidden: a held member that dies is shown dead at once, and one that leaves, left.
 * A recovery from dead is held too (a sick member's probes fail, so it goes dead and back), and
 * so is one with a new incarnation: a refutation raises the incarnation as a restart does, and
 * a member that crash-loops is flapping just the same. A pure step over a small value.
 */
import type { PeerState } from '../domain/index.ts'

export interface FlapOptions {
  /** Alarms within windowMs after which a recovery is held; 0 turns damping off. */
  alarmsMax: number
  windowMs: number
  /** How long the verdict underneath must stay alive before a held member is shown alive. */
  holdDownMs: number
  /** Phi of this node's own detector at or above which a held member is not steady (see wavering). */
  steadyPhiMax: number
}

export interface FlapState {
  /** When this view raised an alarm about the member (alive -> suspect or dead); newest last. */
  alarms: readonly number[]
  /** A recovery is being held. */
  holding: boolean
  /** While holding: since when the verdict underneath has been alive (undefined: it is not). */
  steadySinceMs: number | undefined
}

export const NO_FLAPS: FlapState = { alarms: [], holding: false, steadySinceMs: undefined }

export interface FlapInput {
  /** What the view shows now. */
  shown: PeerState
  /** The verdict underneath, newly computed. */
  verdict: PeerState
  /**
   * Alive, but not steadily: this node's own detector finds the member's heartbeat late (phi at
   * or above the steadiness bound). A detector that has learned an 80 % loss suspects only
   * after long silences, so "not suspected" alone would call a sick member steady.
   */
  wavering?: boolean
  nowMs: number
}

/** What to show, the new damping state, and why when the damping decided it. */
export interface FlapStep {
  show: PeerState
  state: FlapState
  reason?: string
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`

export function stepFlaps(state: FlapState, input: FlapInput, options: FlapOptions): FlapStep {
  const { shown, verdict, nowMs } = input
  if (options.alarmsMax <= 0) return { show: verdict, state }
  const alarms = state.alarms.filter((t) => nowMs - t <= options.windowMs)
  if (verdict !== 'alive') {
    const alarm = shown === 'alive' && (verdict === 'suspect' || verdict === 'dead')
    const next: FlapState = {
      alarms: alarm ? [...alarms, nowMs].slice(-options.alarmsMax) : alarms,
      holding: state.holding && verdict !== 'left' && verdict !== 'missing',
      steadySinceMs: undefined
    }
    return { show: verdict, state: next }
  }
  if (state.holding) {
    if (input.wavering === true) return { show: 'suspect', state: { alarms, holding: true, steadySinceMs: undefined } }
    const steadySinceMs = state.steadySinceMs ?? nowMs
    if (nowMs - steadySinceMs >= options.holdDownMs) {
      return { show: 'alive', state: { alarms, holding: false, steadySinceMs: undefined }, reason: `steady for ${seconds(nowMs - steadySinceMs)} after flapping` }
    }
    const reason = shown === 'suspect' ? undefined : `flapping: shown suspect until steady for ${seconds(options.holdDownMs)}`
    return { show: 'suspect', state: { alarms, holding: true, steadySinceMs }, ...(reason === undefined ? {} : { reason }) }
  }
  if ((shown === 'suspect' || shown === 'dead') && alarms.length >= options.alarmsMax) {
    return {
      show: 'suspect',
      state: { alarms, holding: true, steadySinceMs: nowMs },
      reason: `flapping: ${alarms.length} alarms in ${seconds(options.windowMs)}; shown suspect until steady for ${seconds(options.holdDownMs)}`
    }
  }
  return { show: 'alive', state: alarms.length === state.alarms.length ? state : { ...state, alarms } }
}
