/**
 * The bodies of the cluster-wide alerting messages (codec tags 9 and 10), kept apart from
 * codec.ts so the codec stays one screen per concept. The alerting runtime's own types live in
 * src/alerts/ (NotifiedMark, Silence); the transport does not import them, so these are the wire
 * shapes, converted by the node (src/node/alerting-gossip.ts).
 *
 * `alerting` body: [marks, silences]
 *   mark:    [fingerprint, status (0 firing, 1 resolved), atMs]
 *   silence: [id, [[name, op, value], ...], startsAtMs, endsAtMs, createdBy, comment, updatedAtMs]
 * A mark carries no `by`: the mark's author is the message's authenticated sender, so nobody can
 * mark a notification in another agent's name.
 *
 * Marks are all-or-nothing (a malformed mark makes the message `schema`), silences are checked
 * one by one: a silence of the wrong shape is counted in `silencesMalformed` and the others are
 * kept, so one bad entry (a newer sender's matcher op, say) does not lose the whole batch. The
 * node then runs the alerts core's validateSilence on the well-shaped ones.
 *
 * `force-leave` body: [subject, subjectIncarnation].
 */
export type MarkStatus = 'firing' | 'resolved'
export const MARK_STATUSES: readonly MarkStatus[] = ['firing', 'resolved']
export type WireMatchOp = '=' | '!=' | '=~' | '!~'
export const WIRE_MATCH_OPS: readonly WireMatchOp[] = ['=', '!=', '=~', '!~']

export interface WireMark {
  /** The alert's label fingerprint: lowercase hex, at most 64 digits. */
  fingerprint: string
  status: MarkStatus
  atMs: number
}

export interface WireMatcher { name: string; op: WireMatchOp; value: string }

/** Structurally the alerts core's Silence (src/alerts/silences.ts). */
export interface WireSilence {
  id: string
  matchers: WireMatcher[]
  startsAtMs: number
  endsAtMs: number
  createdBy: string
  comment: string
  updatedAtMs: number
}

/**
 * Shape bounds of one alerting message. Per-field character bounds match (or exceed) the alerts
 * core's SILENCE_LIMITS and matcher bounds, so that every silence the core accepts fits, and the
 * core's checks decide the rest.
 */
export const ALERTING_LIMITS = {
  marksMax: 256,
  silencesMax: 32,
  fingerprintCharsMax: 64,
  silenceIdCharsMax: 64,
  matchersMax: 16,
  matcherNameCharsMax: 256,
  matcherValueCharsMax: 256,
  createdByCharsMax: 256,
  commentCharsMax: 1024
} as const

const FINGERPRINT = /^[0-9a-f]+$/
/** Epoch milliseconds (fractions allowed: the sender's clock may be a monotonic one). */
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER
const isText = (v: unknown, max: number, allowEmpty = false): v is string =>
  typeof v === 'string' && v.length <= max && (allowEmpty || v.length > 0)

export function encodeMark(m: WireMark): unknown[] {
  return [m.fingerprint, MARK_STATUSES.indexOf(m.status), m.atMs]
}

export function encodeSilence(s: WireSilence): unknown[] {
  return [s.id, s.matchers.map((x) => [x.name, x.op, x.value]), s.startsAtMs, s.endsAtMs, s.createdBy, s.comment, s.updatedAtMs]
}

export function decodeMark(v: unknown): WireMark | undefined {
  if (!Array.isArray(v) || v.length !== 3) return undefined
  const [fingerprint, status, atMs] = v as unknown[]
  const s = MARK_STATUSES[status as number]
  if (!isText(fingerprint, ALERTING_LIMITS.fingerprintCharsMax) || !FINGERPRINT.test(fingerprint) || s === undefined || !isTime(atMs)) return undefined
  return { fingerprint, status: s, atMs }
}

export function decodeSilence(v: unknown): WireSilence | undefined {
  if (!Array.isArray(v) || v.length !== 7) return undefined
  const [id, matchers, startsAtMs, endsAtMs, createdBy, comment, updatedAtMs] = v as unknown[]
  const L = ALERTING_LIMITS
  if (!isText(id, L.silenceIdCharsMax) || !Array.isArray(matchers) || matchers.length > L.matchersMax) return undefined
  if (!isTime(startsAtMs) || !isTime(endsAtMs) || !isTime(updatedAtMs)) return undefined
  if (!isText(createdBy, L.createdByCharsMax) || !isText(comment, L.commentCharsMax, true)) return undefined
  const out: WireMatcher[] = []
  for (const item of matchers as unknown[]) {
    if (!Array.isArray(item) || item.length !== 3) return undefined
    const [name, op, value] = item as unknown[]
    if (!isText(name, L.matcherNameCharsMax) || !WIRE_MATCH_OPS.includes(op as WireMatchOp) || !isText(value, L.matcherValueCharsMax, true)) return undefined
    out.push({ name, op: op as WireMatchOp, value })
  }
  return { id, matchers: out, startsAtMs, endsAtMs, createdBy, comment, updatedAtMs }
}

/** The `alerting` body, or undefined when the message is malformed as a whole. */
export function decodeAlertingBody(body: unknown[]): { marks: WireMark[]; silences: WireSilence[]; silencesMalformed: number } | undefined {
  const [marksRaw, silencesRaw] = body
  if (body.length !== 2 || !Array.isArray(marksRaw) || !Array.isArray(silencesRaw)) return undefined
  if (marksRaw.length > ALERTING_LIMITS.marksMax || silencesRaw.length > ALERTING_LIMITS.silencesMax) return undefined
  const marks: WireMark[] = []
  for (const raw of marksRaw as unknown[]) {
    const m = decodeMark(raw)
    if (m === undefined) return undefined
    marks.push(m)
  }
  const silences: WireSilence[] = []
  let silencesMalformed = 0
  for (const raw of silencesRaw as unknown[]) {
    const s = decodeSilence(raw)
    if (s === undefined) silencesMalformed++
    else silences.push(s)
  }
  return { marks, silences, silencesMalformed }
}
