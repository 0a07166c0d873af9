/**
 * The phi accrual failure detector (Hayashibara, Défago, Yared, Katayama: "The φ Accrual Failure
 * Detector", SRDS 2004), with the choices Akka and Apache Pekko made in their
 * PhiAccrualFailureDetector, which years of production use have validated:
 *
 * - The detector keeps a bounded window of heartbeat inter-arrival intervals and models the next
 *   interval as normal with the window's mean and standard deviation. phi = -log10(P(the next
 *   heartbeat comes later than now)): phi 8 means a healthy peer is this late once in 10^8.
 * - The normal CDF is the logistic approximation of Bowling et al. (2009), as Pekko uses it;
 *   it is within 1.4e-4 of the exact CDF and, unlike erf, has a closed-form inverse.
 * - `acceptableHeartbeatPauseMs` is added to the mean and `minStdDevMs` floors the deviation, so a
 *   quiet LAN with ~0 jitter does not make phi jump on the first late packet.
 * - The first arrival seeds the window with two samples, firstHeartbeatEstimateMs -/+ a quarter of
 *   it (mean = estimate, deviation = estimate / 4), so phi is meaningful from the first heartbeat.
 *
 * Ownership: PhiState is a value for every reader (phi, elapsedForPhi and the accessors read only
 * its own fields, so an old state still answers for the moment it described), but the sample ring
 * buffer behind it is shared between a state and its successors so that recordHeartbeat costs
 * O(1). recordHeartbeat therefore consumes its argument: record from the newest state only.
 * Recording from an older one is a programmer error and throws instead of corrupting the window.
 *
 * The same `options` must be passed to every call on one state; windowSamplesMax is fixed when
 * createPhiState allocates the window.
 */

export interface PhiOptions {
  /**
   * Inter-arrival samples kept; older ones drop. A longer window is steadier but adapts more slowly
   * to a changed network. Pekko's default is 1000.
   */
  windowSamplesMax: number
  /**
   * Floor on the standard deviation. With heartbeats every I ms, phi reaches 8 at about
   * I + acceptableHeartbeatPauseMs + 5.23 x max(measured deviation, minStdDevMs).
   */
  minStdDevMs: number
  /** Added to the mean interval: tolerates GC pauses and bursts before phi rises. */
  acceptableHeartbeatPauseMs: number
  /** Assumed interval before any was measured (seeds the window at the first arrival). */
  firstHeartbeatEstimateMs: number
  /**
   * Optional (Pekko does this always, with its threshold): an arrival that comes when phi has
   * already reached this value updates the last arrival but is not sampled, because the long
   * pause that preceded it (a crash, a partition, a SIGSTOP) says nothing about the network's
   * normal jitter and would widen the window's deviation for windowSamplesMax arrivals.
   * Unset: every interval is sampled.
   */
  ignoreIntervalAbovePhi?: number
  /**
   * Optional cap on a sampled interval (Cassandra caps its arrival window the same way): longer
   * intervals are sampled as this. Under steady loss a missed heartbeat's double interval is
   * then sampled, so the detector learns that such gaps are normal and stops suspecting on each
   * one; a long outage still contributes no more than the cap. Unset: no cap.
   */
  intervalSampleMaxMs?: number
}

/** The sample window, shared by a state and its successors (see "Ownership" above). */
interface SampleRing {
  readonly samples: Float64Array
  /** Bumped by every write; a state whose `version` differs has been consumed. */
  version: number
}

/** Detector state. Treat as opaque: read it through the functions below. */
export interface PhiState {
  readonly lastArrivalMs: number | undefined
  /** Samples in the window, its oldest slot, and the running sums of (sample - shift) over it. */
  readonly count: number
  readonly head: number
  readonly shift: number
  readonly sum: number
  readonly sumOfSquares: number
  /** Writes since the sums were last recomputed exactly from the ring (bounds float drift). */
  readonly writesSinceExact: number
  readonly ring: SampleRing
  readonly version: number
}

/** phi saturates here instead of reaching Infinity (phi 50 is already a 1e-50 chance). */
export const PHI_MAX = 1e6

// The logistic approximation of the standard normal CDF used by Pekko (Bowling et al. 2009):
// P(X > y) ~= 1 / (1 + exp(z)) with z = y (A + B y^2).
const A = 1.5976
const B = 0.070566

function checkOptions(options: PhiOptions): void {
  const { windowSamplesMax, minStdDevMs, acceptableHeartbeatPauseMs, firstHeartbeatEstimateMs } = options
  if (!Number.isInteger(windowSamplesMax) || windowSamplesMax < 1) throw new RangeError(`windowSamplesMax must be an integer >= 1, got ${windowSamplesMax}`)
  if (!(minStdDevMs > 0) || !Number.isFinite(minStdDevMs)) throw new RangeError(`minStdDevMs must be > 0, got ${minStdDevMs}`)
  if (!(acceptableHeartbeatPauseMs >= 0) || !Number.isFinite(acceptableHeartbeatPauseMs)) throw new RangeError(`acceptableHeartbeatPauseMs must be >= 0, got ${acceptableHeartbeatPauseMs}`)
  if (!(firstHeartbeatEstimateMs > 0) || !Number.isFinite(firstHeartbeatEstimateMs)) throw new RangeError(`firstHeartbeatEstimateMs must be > 0, got ${firstHeartbeatEstimateMs}`)
}

function checkTime(nowMs: number): void {
  if (!Number.isFinite(nowMs)) throw new RangeError(`time must be finite, got ${nowMs}`)
}

/** A detector that has heard nothing yet: phi is 0 until the first arrival. */
export function createPhiState(options: PhiOptions): PhiState {
  checkOptions(options)
  const ring: SampleRing = { samples: new Float64Array(options.windowSamplesMax), version: 0 }
  return { lastArrivalMs: undefined, count: 0, head: 0, shift: 0, sum: 0, sumOfSquares: 0, writesSinceExact: 0, ring, version: 0 }
}

/**
 * Appends one interval in O(1), evicting the oldest when full. The sums are kept about `shift`
 * (the first sample, then the window mean at each resync) rather than about 0: intervals cluster
 * around their mean, so the variance sumOfSquares/n - (sum/n)^2 does not cancel catastrophically.
 */
function push(s: PhiState, intervalMs: number): PhiState {
  const { samples } = s.ring
  const capacity = samples.length
  let { count, head, sum, sumOfSquares, shift } = s
  if (count === 0) shift = intervalMs
  if (count < capacity) {
    samples[(head + count) % capacity] = intervalMs
    count++
  } else {
    const oldest = samples[head]! - shift
    samples[head] = intervalMs
    head = (head + 1) % capacity
    sum -= oldest
    sumOfSquares -= oldest * oldest
  }
  const x = intervalMs - shift
  sum += x
  sumOfSquares += x * x
  let writesSinceExact = s.writesSinceExact + 1
  // Adding and subtracting fractional milliseconds forever accumulates rounding error; once per
  // window's worth of writes, recompute the sums exactly (O(capacity) every capacity writes).
  if (writesSinceExact >= capacity) {
    let total = 0
    for (let i = 0; i < count; i++) total += samples[(head + i) % capacity]!
    shift = total / count
    sum = 0
    sumOfSquares = 0
    for (let i = 0; i < count; i++) {
      const d = samples[(head + i) % capacity]! - shift
      sum += d
      sumOfSquares += d * d
    }
    writesSinceExact = 0
  }
  s.ring.version++
  return { ...s, count, head, sum, sumOfSquares, shift, writesSinceExact, version: s.ring.version }
}

/**
 * Records a heartbeat arriving at `nowMs` and returns the new state; `state` is consumed (see
 * "Ownership"). The first call only seeds the window and notes the arrival. An arrival earlier
 * than the last one (impossible on a monotonic clock) counts as a 0 ms interval. With `sample`
 * false the arrival is noted but its interval is not learned: the observer itself was stalled,
 * so the gap says nothing about the subject.
 */
export function recordHeartbeat(state: PhiState, nowMs: number, options: PhiOptions, sample = true): PhiState {
  checkTime(nowMs)
  if (state.version !== state.ring.version) {
    throw new Error('recordHeartbeat: this PhiState was already consumed by an earlier recordHeartbeat; record from the newest state')
  }
  const last = state.lastArrivalMs
  if (last === undefined) {
    const estimate = options.firstHeartbeatEstimateMs
    const spread = estimate / 4
    const seeded = push(push(state, estimate - spread), estimate + spread)
    return { ...seeded, lastArrivalMs: nowMs }
  }
  const arrivalMs = Math.max(last, nowMs)
  const skip = options.ignoreIntervalAbovePhi
  if (!sample || (skip !== undefined && phi(state, arrivalMs, options) >= skip)) {
    state.ring.version++
    return { ...state, lastArrivalMs: arrivalMs, version: state.ring.version }
  }
  const cap = options.intervalSampleMaxMs ?? Infinity
  return { ...push(state, Math.min(arrivalMs - last, cap)), lastArrivalMs: arrivalMs }
}

/** phi of an elapsed time under the logistic model; stable for any y (never Infinity/NaN). */
function phiOfY(y: number): number {
  const z = y * (A + B * y * y)
  // -log10(e / (1 + e)) with e = exp(-z) is softplus(z) / ln 10; computed without overflow.
  const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))
  return Math.min(PHI_MAX, softplus / Math.LN10)
}

/**
 * Pekko's phi(timeDiff, mean, stdDeviation): phi of `elapsedMs` for a given mean (pause
 * included) and standard deviation (floor applied). Exposed for tables and what-if displays.
 */
export function phiOf(elapsedMs: number, meanMs: number, stdDevMs: number): number {
  return phiOfY((elapsedMs - meanMs) / stdDevMs)
}

/** Mean and floored deviation phi uses; before the first arrival, those the seed will give. */
function model(state: PhiState, options: PhiOptions): { meanMs: number; stdDevMs: number } {
  return { meanMs: meanIntervalMs(state, options) + options.acceptableHeartbeatPauseMs, stdDevMs: stdDevMs(state, options) }
}

/**
 * Suspicion level at `nowMs`: 0 before the first arrival (nothing to be late for, as in Pekko),
 * then non-decreasing in nowMs until the next arrival, finite, capped at PHI_MAX.
 */
export function phi(state: PhiState, nowMs: number, options: PhiOptions): number {
  checkTime(nowMs)
  if (state.lastArrivalMs === undefined) return 0
  const { meanMs, stdDevMs } = model(state, options)
  return phiOf(nowMs - state.lastArrivalMs, meanMs, stdDevMs)
}

/**
 * The silence (ms since the last arrival) at which phi reaches `threshold`, for scheduling the
 * next check instead of polling. Solved in closed form: invert the softplus, then the cubic
 * B y^3 + A y = z (one real root, Cardano), polished by Newton steps. Clamped at 0 when phi is
 * already >= threshold at 0 ms. Before the first arrival it answers for the seeded window, i.e.
 * what it will be right after the first heartbeat.
 */
export function elapsedForPhi(state: PhiState, threshold: number, options: PhiOptions): number {
  if (!Number.isFinite(threshold) || threshold > PHI_MAX) throw new RangeError(`threshold must be finite and <= ${PHI_MAX}, got ${threshold}`)
  const { meanMs, stdDevMs } = model(state, options)
  if (threshold <= phiOf(0, meanMs, stdDevMs)) return 0
  // softplus(z) = threshold * ln 10  <=>  z = u + log(1 - e^-u)
  const u = threshold * Math.LN10
  const z = u + Math.log(-Math.expm1(-u))
  const p = A / B
  const q = -z / B
  const root = Math.sqrt((q * q) / 4 + (p * p * p) / 27)
  let y = Math.cbrt(-q / 2 + root) + Math.cbrt(-q / 2 - root)
  for (let i = 0; i < 3; i++) y -= (y * (A + B * y * y) - z) / (A + 3 * B * y * y)
  return Math.max(0, meanMs + y * stdDevMs)
}

export function lastArrivalMs(state: PhiState): number | undefined {
  return state.lastArrivalMs
}

/** Mean interval of the window (without acceptableHeartbeatPauseMs); the estimate before any. */
export function meanIntervalMs(state: PhiState, options: PhiOptions): number {
  return state.count === 0 ? options.firstHeartbeatEstimateMs : state.shift + state.sum / state.count
}

/**
 * Standard deviation phi uses: the window's population deviation (as Pekko), floored at
 * minStdDevMs; before any arrival, that of the seed (estimate / 4), floored likewise.
 */
export function stdDevMs(state: PhiState, options: PhiOptions): number {
  if (state.count === 0) return Math.max(options.firstHeartbeatEstimateMs / 4, options.minStdDevMs)
  const offset = state.sum / state.count
  const variance = Math.max(0, state.sumOfSquares / state.count - offset * offset)
  return Math.max(Math.sqrt(variance), options.minStdDevMs)
}

/** Samples in the window, the two seeds included (0 before the first arrival, then 2, 3, ... up to windowSamplesMax). */
export function sampleCount(state: PhiState): number {
  return state.count
}
