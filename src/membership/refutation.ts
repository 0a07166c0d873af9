import { INCARNATION_MAX } from '../transport/codec.ts'

/**
 * How fast this node refutes claims about itself (SWIM §4.2: move to claim + 1). The claims
 * reaching here already passed the trust rules (src/membership/trust.ts: from an observer, not
 * above this node's incarnation), but an observer that is hostile or confused could still claim
 * "dead" again after every refutation, making this node re-announce itself in a loop. So at most
 * one refutation per `intervalMsMin`: a claim inside the interval is remembered (the highest one)
 * and refuted when the interval ends, which bounds the storm and never loses a genuine claim.
 * Incarnations never pass INCARNATION_MAX, so this node's own messages stay valid.
 */
export interface RefutationState {
  /** When the last refutation happened (-Infinity: never). */
  lastAtMs: number
  /** The highest claim put off by the interval, waiting for it to end. */
  pending: number | undefined
}

export type RefutationInput =
  | { type: 'claim'; incarnation: number }
  /** Time passed (the node's maintenance tick): refute a pending claim once allowed. */
  | { type: 'tick' }

export interface RefutationResult {
  state: RefutationState
  /** Raise this node's incarnation to this value now. */
  raiseTo?: number
  /** Why a claim was not refuted now (counted). */
  dropped?: 'refutation-deferred' | 'incarnation-cap'
}

export const INITIAL_REFUTATION: RefutationState = { lastAtMs: -Infinity, pending: undefined }

export function refutationStep(state: RefutationState, input: RefutationInput, ctx: { incarnation: number; nowMs: number; intervalMsMin: number }): RefutationResult {
  const claim = input.type === 'claim' ? input.incarnation : state.pending
  if (claim === undefined) return { state }
  // Already past it (an earlier refutation): nothing to do.
  if (claim < ctx.incarnation) return { state: { ...state, pending: undefined } }
  if (claim + 1 > INCARNATION_MAX) return { state: { ...state, pending: undefined }, dropped: 'incarnation-cap' }
  if (ctx.nowMs - state.lastAtMs < ctx.intervalMsMin) {
    const pending = Math.max(state.pending ?? claim, claim)
    return { state: { ...state, pending }, dropped: input.type === 'claim' ? 'refutation-deferred' : undefined }
  }
  return { state: { lastAtMs: ctx.nowMs, pending: undefined }, raiseTo: claim + 1 }
}
