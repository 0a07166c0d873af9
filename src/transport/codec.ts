import { Packr } from 'msgpackr'
import { copyBytes } from './byte-slab.ts'
import { ALERTING_LIMITS, decodeAlertingBody, encodeMark, encodeSilence, type WireMark, type WireSilence } from './alerting-wire.ts'

/**
 * The wire format. Every message is a msgpack array:
 *   [version, tag, cluster, sender, incarnation, seq, ...body]
 * `tag` values are only ever appended (never reused or renumbered), so an old node can tell a
 * newer message type from a malformed one and skip it. `seq` strictly increases per sender and
 * incarnation; receivers drop replays. Decoding checks every field's type and bound and never
 * throws: it returns a reason that the validator counts.
 */
export const WIRE_VERSION = 1

/**
 * Tags 7 and 8 carry the members' signed records (src/membership/trust.ts). They are new tags,
 * not optional fields on `join` (2) and `digest` (5), because this codec checks each body's exact
 * length: a node that predates them would reject a longer `join` or digest entry as `schema` and
 * penalise the sender, while an unknown tag is `unknown-type`, which it can tell from a malformed
 * message. Tags 2, 3 and 5 are still decoded (from older nodes): a `join` or `leave` counts as the
 * sender's own announcement (gossip authenticates it) but carries no proof to relay, and a tag-5
 * digest's rows are bare rows, which never introduce a member.
 */
/*
 * Tags 9 and 10 (alerting, force-leave) are new for the same reason: a node that predates them
 * counts them `unknown-type` and skips them, without penalising the sender (their bodies are in
 * alerting-wire.ts).
 */
export const MESSAGE_TAGS = {
  heartbeat: 1, join: 2, leave: 3, verdict: 4, digest: 5, checksum: 6, record: 7, 'signed-digest': 8, alerting: 9, 'force-leave': 10
} as const
export type MessageType = keyof typeof MESSAGE_TAGS

export type NodeStatus = 'healthy' | 'degraded' | 'unhealthy'
export const NODE_STATUSES: readonly NodeStatus[] = ['healthy', 'degraded', 'unhealthy']

/** A verdict an observer can publish; `left` is only ever announced by the node itself. */
export type VerdictState = 'alive' | 'suspect' | 'dead'
export type MemberState = VerdictState | 'left'
export const MEMBER_STATES: readonly MemberState[] = ['alive', 'suspect', 'dead', 'left']

/**
 * The highest incarnation any message may carry (2^40, about 1.1e12). Far below
 * Number.MAX_SAFE_INTEGER so that claim + 1 and the bounded steps above it stay exact integers,
 * and out of reach: at one refutation a second (the refutation limit) it lasts 34,000 years. A
 * message above it is rejected as `schema`; a node never raises its own incarnation past it.
 */
export const INCARNATION_MAX = 2 ** 40

/** What a heartbeat says of its sender's own health (the seed's HealthStatus, summarised). */
export interface HealthSummary {
  status: NodeStatus
  /** Failing custom checks, 0 when none are configured. */
  checksFailing: number
  /** The sender's resource figures; absent before its first reading (and from 0.1.0 senders). */
  resources?: ResourceSummary
  /** Ids of its failing checks, worst first: at most WIRE_LIMITS.failingChecksMax, each cut to failingCheckCharsMax. */
  failingChecks?: string[]
}

/**
 * Resource figures in a heartbeat, quantised for size: percentages to 0.1 (sent as per-mille
 * integers), load per core to 0.01 (sent as hundredths). null: not measured on the sender.
 */
export interface ResourceSummary {
  cpuPercent: number | null
  memoryPercent: number | null
  /** The fullest watched file system: the larger of its space and inode use, in percent. */
  diskPercent: number | null
  /** load1 divided by the CPUs online. */
  loadPerCore: number | null
}

interface Header {
  cluster: string
  sender: string
  incarnation: number
  seq: number
}

export interface HeartbeatMessage extends Header { type: 'heartbeat'; health: HealthSummary }
export interface JoinMessage extends Header { type: 'join'; name: string; addrs: string[] }
export interface LeaveMessage extends Header { type: 'leave' }
export interface VerdictMessage extends Header {
  type: 'verdict'
  subject: string
  subjectIncarnation: number
  state: VerdictState
  /** The subject's health as last carried by its heartbeats. */
  subjectStatus: NodeStatus
}
/**
 * A member's own signed statement about itself: "I am `id`, called `name`, reachable at `addrs`,
 * at `incarnation`, and (with `left`) leaving". `signature` is made with the member's transport
 * key over recordSigningBytes(); anyone can check it from the id alone (an Ed25519 peer id embeds
 * its public key), so it can be relayed by others as proof (anti-entropy digests).
 */
export interface MemberRecord {
  id: string
  name: string
  addrs: string[]
  incarnation: number
  left: boolean
  signature: Uint8Array
}
/** The member-specific part of a record carried by a digest entry (name and addrs are the entry's). */
export interface RecordProof {
  incarnation: number
  left: boolean
  signature: Uint8Array
}
export interface MemberDigestEntry {
  id: string
  name: string
  incarnation: number
  state: MemberState
  addrs: string[]
  /** The member's own signed record (tag 8 only); absent: a bare row, which never introduces a member. */
  proof?: RecordProof
}
export interface DigestMessage extends Header { type: 'digest'; members: MemberDigestEntry[] }
/** A digest whose entries may carry their member's signed record (what current nodes send). */
export interface SignedDigestMessage extends Header { type: 'signed-digest'; members: MemberDigestEntry[] }
/** A member's signed record, announced by the member itself on the events topic (join, refutation, leave). */
export interface RecordMessage extends Header { type: 'record'; name: string; addrs: string[]; left: boolean; signature: Uint8Array }
/**
 * The checksum of a sender's member digest (anti-entropy): peers whose checksums match hold the
 * same membership and skip the full exchange. `checksum` is 16 hex digits (64 bits).
 */
export interface ChecksumMessage extends Header { type: 'checksum'; checksum: string }

/**
 * Cluster-wide alerting state from its sender: who notified about which alert (marks, authored
 * by the sender) and silences (last writer wins at the receiver). `silencesMalformed` is set by
 * decoding only: silences of the wrong shape that were skipped (never encoded).
 */
export interface AlertingMessage extends Header { type: 'alerting'; marks: WireMark[]; silences: WireSilence[]; silencesMalformed?: number }
/**
 * An operator's force-leave of `subject`, issued at the sender (healthmon force-leave). Receivers
 * take it only when the subject is dead in their own view (src/membership/trust.ts).
 */
export interface ForceLeaveMessage extends Header { type: 'force-leave'; subject: string; subjectIncarnation: number }

export type WireMessage =
  | HeartbeatMessage | JoinMessage | LeaveMessage | VerdictMessage | DigestMessage | ChecksumMessage | RecordMessage | SignedDigestMessage
  | AlertingMessage | ForceLeaveMessage

export type DecodeFailure = 'too-large' | 'malformed' | 'version' | 'unknown-type' | 'schema'
export type DecodeResult = { ok: true; message: WireMessage } | { ok: false; reason: DecodeFailure }

/** Bounds on decoded fields; a message breaking one is rejected as `schema`. */
export const WIRE_LIMITS = {
  stringLengthMax: 256,
  addrsMax: 16,
  digestMembersMax: 100_000,
  /** Notification marks and silences one `alerting` message carries (field bounds: ALERTING_LIMITS). */
  alertingMarksMax: ALERTING_LIMITS.marksMax,
  alertingSilencesMax: ALERTING_LIMITS.silencesMax,
  /** Failing check ids a heartbeat names (encoding cuts the list, decoding accepts up to 32). */
  failingChecksMax: 20,
  /** Characters of each failing check id sent (20 ids of 16 characters keep a heartbeat under 512 bytes). */
  failingCheckCharsMax: 16,
  /** Highest load per core a heartbeat can carry, in hundredths (1000 per core). */
  loadPerCoreHundredthsMax: 100_000,
  /** Ed25519 signatures are 64 bytes; the in-memory network's are 32. */
  signatureBytesMax: 128
} as const

/** Decoding is looser than encoding, so a later sender may raise the encoding bounds. */
const FAILING_CHECKS_DECODE_MAX = 32
const FAILING_CHECK_CHARS_DECODE_MAX = 64

/** The bytes a member signs for its record: a fixed-order msgpack array with a domain label and the cluster. */
export function recordSigningBytes(cluster: string, r: Omit<MemberRecord, 'signature'>): Uint8Array {
  return packr.pack(['healthmon/member-record/1', cluster, r.id, r.name, r.addrs, r.incarnation, r.left])
}

// One shared packer: plain msgpack (no records extension) keeps the format readable by any
// msgpack implementation, which matters for the only-append evolution promise.
const packr = new Packr({ useRecords: false, mapsAsObjects: true, int64AsType: 'number' })

export function encodeMessage(message: WireMessage): Uint8Array {
  const head = [WIRE_VERSION, MESSAGE_TAGS[message.type], message.cluster, message.sender, message.incarnation, message.seq]
  switch (message.type) {
    case 'heartbeat':
      return packr.pack([...head, ...encodeHealth(message.health)])
    case 'join':
      return packr.pack([...head, message.name, message.addrs])
    case 'leave':
      return packr.pack(head)
    case 'verdict':
      return packr.pack([...head, message.subject, message.subjectIncarnation, MEMBER_STATES.indexOf(message.state), NODE_STATUSES.indexOf(message.subjectStatus)])
    case 'digest':
      return packr.pack([...head, message.members.map((m) => [m.id, m.name, m.incarnation, MEMBER_STATES.indexOf(m.state), m.addrs])])
    case 'checksum':
      return packr.pack([...head, message.checksum])
    case 'record':
      return packr.pack([...head, message.name, message.addrs, message.left, message.signature])
    case 'signed-digest':
      return packr.pack([...head, message.members.map((m) => [
        m.id, m.name, m.incarnation, MEMBER_STATES.indexOf(m.state), m.addrs,
        m.proof === undefined ? null : [m.proof.incarnation, m.proof.left, m.proof.signature]
      ])])
    case 'alerting':
      return packr.pack([...head, message.marks.map(encodeMark), message.silences.map(encodeSilence)])
    case 'force-leave':
      return packr.pack([...head, message.subject, message.subjectIncarnation])
  }
}

const isStr = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= WIRE_LIMITS.stringLengthMax
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0
const isIncarnation = (v: unknown): v is number => isCount(v) && v <= INCARNATION_MAX
const isSignature = (v: unknown): v is Uint8Array => v instanceof Uint8Array && v.byteLength > 0 && v.byteLength <= WIRE_LIMITS.signatureBytesMax
/**
 * `list[v]` for an integer v only. Indexing with the raw decoded value let a string such as
 * "length" through as a state (MEMBER_STATES.length is 4) and made a map with a non-callable
 * toString throw while converting it to a key (found by scripts/fuzz.ts).
 */
const enumAt = <T>(list: readonly T[], v: unknown): T | undefined => (typeof v === 'number' && Number.isInteger(v) ? list[v] : undefined)
const isAddrs = (v: unknown): v is string[] => Array.isArray(v) && v.length <= WIRE_LIMITS.addrsMax && v.every(isStr)

/**
 * Decodes and checks a message; `bytesMax` is the size limit for this channel. Never throws.
 * `keepBytes` is how a decoded byte string (a signature) is kept: msgpackr may hand out a view
 * into the frame, which would keep a whole digest alive, so by default it is copied out
 * (byte-slab.ts); SharedValues takes the view and copies only what it then holds.
 */
export function decodeMessage(data: Uint8Array, bytesMax: number, keepBytes: (bytes: Uint8Array) => Uint8Array = copyBytes): DecodeResult {
  if (data.byteLength > bytesMax) return { ok: false, reason: 'too-large' }
  let raw: unknown
  try {
    raw = packr.unpack(data)
  } catch {
    return { ok: false, reason: 'malformed' }
  }
  if (!Array.isArray(raw) || raw.length < 6) return { ok: false, reason: 'malformed' }
  if (raw[0] !== WIRE_VERSION) return { ok: false, reason: 'version' }
  const [, tag, cluster, sender, incarnation, seq] = raw as unknown[]
  if (!isStr(cluster) || !isStr(sender) || !isIncarnation(incarnation) || !isCount(seq)) return { ok: false, reason: 'schema' }
  const header = { cluster, sender, incarnation, seq }
  const body = raw.slice(6) as unknown[]
  const fail = { ok: false, reason: 'schema' } as const
  switch (tag) {
    case MESSAGE_TAGS.heartbeat: {
      const health = decodeHealth(body)
      if (health === undefined) return fail
      return { ok: true, message: { type: 'heartbeat', ...header, health } }
    }
    case MESSAGE_TAGS.join: {
      const [name, addrs] = body
      if (body.length !== 2 || !isStr(name) || !isAddrs(addrs)) return fail
      return { ok: true, message: { type: 'join', ...header, name, addrs } }
    }
    case MESSAGE_TAGS.leave:
      if (body.length !== 0) return fail
      return { ok: true, message: { type: 'leave', ...header } }
    case MESSAGE_TAGS.verdict: {
      const [subject, subjectIncarnation, state, subjectStatus] = body
      const s = enumAt(MEMBER_STATES, state)
      const st = enumAt(NODE_STATUSES, subjectStatus)
      if (body.length !== 4 || !isStr(subject) || !isIncarnation(subjectIncarnation) || s === undefined || s === 'left' || st === undefined) return fail
      return { ok: true, message: { type: 'verdict', ...header, subject, subjectIncarnation, state: s, subjectStatus: st } }
    }
    case MESSAGE_TAGS.digest:
    case MESSAGE_TAGS['signed-digest']: {
      const signed = tag === MESSAGE_TAGS['signed-digest']
      const [list] = body
      if (body.length !== 1 || !Array.isArray(list) || list.length > WIRE_LIMITS.digestMembersMax) return fail
      const members: MemberDigestEntry[] = []
      for (const item of list as unknown[]) {
        if (!Array.isArray(item) || item.length !== (signed ? 6 : 5)) return fail
        const [id, name, inc, state, addrs, proof] = item as unknown[]
        const s = enumAt(MEMBER_STATES, state)
        if (!isStr(id) || !isStr(name) || !isIncarnation(inc) || s === undefined || !isAddrs(addrs)) return fail
        const entry: MemberDigestEntry = { id, name, incarnation: inc, state: s, addrs }
        if (signed && proof !== null) {
          if (!Array.isArray(proof) || proof.length !== 3) return fail
          const [pInc, pLeft, pSig] = proof as unknown[]
          if (!isIncarnation(pInc) || typeof pLeft !== 'boolean' || !isSignature(pSig)) return fail
          entry.proof = { incarnation: pInc, left: pLeft, signature: keepBytes(pSig) }
        }
        members.push(entry)
      }
      return { ok: true, message: signed ? { type: 'signed-digest', ...header, members } : { type: 'digest', ...header, members } }
    }
    case MESSAGE_TAGS.checksum: {
      const [checksum] = body
      if (body.length !== 1 || typeof checksum !== 'string' || !/^[0-9a-f]{16}$/.test(checksum)) return fail
      return { ok: true, message: { type: 'checksum', ...header, checksum } }
    }
    case MESSAGE_TAGS.record: {
      const [name, addrs, left, signature] = body
      if (body.length !== 4 || !isStr(name) || !isAddrs(addrs) || typeof left !== 'boolean' || !isSignature(signature)) return fail
      return { ok: true, message: { type: 'record', ...header, name, addrs, left, signature: keepBytes(signature) } }
    }
    case MESSAGE_TAGS.alerting: {
      const decoded = decodeAlertingBody(body)
      // An empty batch is no sender's honest output.
      if (decoded === undefined || decoded.marks.length + decoded.silences.length + decoded.silencesMalformed === 0) return fail
      const message: AlertingMessage = { type: 'alerting', ...header, marks: decoded.marks, silences: decoded.silences }
      if (decoded.silencesMalformed > 0) message.silencesMalformed = decoded.silencesMalformed
      return { ok: true, message }
    }
    case MESSAGE_TAGS['force-leave']: {
      const [subject, subjectIncarnation] = body
      if (body.length !== 2 || !isStr(subject) || !isIncarnation(subjectIncarnation)) return fail
      return { ok: true, message: { type: 'force-leave', ...header, subject, subjectIncarnation } }
    }
    default:
      return { ok: false, reason: typeof tag === 'number' && Number.isInteger(tag) && tag > 0 ? 'unknown-type' : 'malformed' }
  }
}

// ---- the heartbeat's health body ---------------------------------------------------------------
//
// Body: [status, checksFailing, resources?, failingChecks?, ...later fields]. The summary was
// added by appending elements to the body rather than by a new message tag or wire version: a
// new tag or version would make every node split heartbeats by sender version forever, while
// appended optional elements keep one heartbeat type. From this version on the decoder reads the
// elements it knows and ignores any after them, so later fields are appended the same way and
// older decoders skip them. (0.1.0 decoders required exactly two elements; that unreleased
// version cannot share a cluster with this one.) `resources` is [cpu‰, memory‰, disk‰,
// load-per-core hundredths], each an integer or nil: integers are 1-3 bytes in msgpack where
// float64s take 9.

const permille = (percent: number | null): number | null => percent === null ? null : Math.round(Math.max(0, Math.min(100, percent)) * 10)

function encodeHealth(h: HealthSummary): unknown[] {
  const out: unknown[] = [NODE_STATUSES.indexOf(h.status), h.checksFailing]
  if (h.resources === undefined && h.failingChecks === undefined) return out
  const r = h.resources
  out.push(r === undefined ? null : [
    permille(r.cpuPercent), permille(r.memoryPercent), permille(r.diskPercent),
    r.loadPerCore === null ? null : Math.min(WIRE_LIMITS.loadPerCoreHundredthsMax, Math.round(Math.max(0, r.loadPerCore) * 100))
  ])
  if (h.failingChecks !== undefined) out.push(h.failingChecks.slice(0, WIRE_LIMITS.failingChecksMax).map((id) => id.slice(0, WIRE_LIMITS.failingCheckCharsMax)))
  return out
}

const isBounded = (v: unknown, max: number): v is number | null => v === null || (isCount(v) && v <= max)

function decodeHealth(body: unknown[]): HealthSummary | undefined {
  const [status, checksFailing, resources, failing] = body
  const st = enumAt(NODE_STATUSES, status)
  if (body.length < 2 || st === undefined || !isCount(checksFailing)) return undefined
  const health: HealthSummary = { status: st, checksFailing }
  if (resources !== undefined && resources !== null) {
    if (!Array.isArray(resources) || resources.length < 4) return undefined
    const [cpu, mem, disk, load] = resources as unknown[]
    if (!isBounded(cpu, 1000) || !isBounded(mem, 1000) || !isBounded(disk, 1000) || !isBounded(load, WIRE_LIMITS.loadPerCoreHundredthsMax)) return undefined
    const pct = (v: number | null) => v === null ? null : v / 10
    health.resources = { cpuPercent: pct(cpu), memoryPercent: pct(mem), diskPercent: pct(disk), loadPerCore: load === null ? null : load / 100 }
  }
  if (failing !== undefined && failing !== null) {
    if (!Array.isArray(failing) || failing.length > FAILING_CHECKS_DECODE_MAX) return undefined
    if (!failing.every((id) => typeof id === 'string' && id.length > 0 && id.length <= FAILING_CHECK_CHARS_DECODE_MAX)) return undefined
    health.failingChecks = failing as string[]
  }
  return health
}
