/**
 * Label sets and their fingerprints. An alert's identity is the fingerprint of its labels,
 * computed exactly as Prometheus' common/model `LabelSet.Fingerprint()` does (and so as
 * Alertmanager shows it): FNV-1a 64 over the label names in sorted order, each followed by the
 * 0xff separator, its UTF-8 value and another 0xff; printed as 16 hex digits. Stable across
 * processes and versions, so two agents seeing the same incident compute the same id.
 */
export type Labels = Readonly<Record<string, string>>

/** Label names: Prometheus syntax. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/
export const LABEL_VALUE_CHARS_MAX = 1024
export const LABELS_MAX = 32

const encoder = new TextEncoder()
// FNV-1a 64 in four 16-bit limbs (no BigInt in the hot path): offset basis 0xcbf29ce484222325,
// prime 0x100000001b3 = 2^40 + 0x1b3.
const OFFSET = [0x2325, 0x8422, 0x9ce4, 0xcbf2]

function mix(h: number[], byte: number): void {
  h[0]! ^= byte
  const [a, b, c, d] = h as [number, number, number, number]
  // (d c b a) * (2^40 + 0x1b3) mod 2^64: the 2^40 term shifts limb a by 40 bits (into limb 2 and 3).
  let t0 = a * 0x1b3
  let t1 = b * 0x1b3 + (t0 >>> 16)
  let t2 = c * 0x1b3 + (t1 >>> 16) + ((a << 8) & 0xffff)
  const t3 = d * 0x1b3 + (t2 >>> 16) + ((b << 8) & 0xffff) + (a >>> 8)
  t0 &= 0xffff; t1 &= 0xffff; t2 &= 0xffff
  h[0] = t0; h[1] = t1; h[2] = t2; h[3] = t3 & 0xffff
}

/** Prometheus' fingerprint of a label set (see the module comment). */
export function fingerprint(labels: Labels): string {
  const h = [...OFFSET]
  for (const name of Object.keys(labels).sort()) {
    for (const byte of encoder.encode(name)) mix(h, byte)
    mix(h, 0xff)
    for (const byte of encoder.encode(labels[name]!)) mix(h, byte)
    mix(h, 0xff)
  }
  return h.reverse().map((limb) => limb.toString(16).padStart(4, '0')).join('')
}

/** A canonical string of a label set (sorted), for map keys. */
export function labelsKey(labels: Labels): string {
  const names = Object.keys(labels)
  if (names.length === 0) return ''
  names.sort()
  let out = ''
  for (const name of names) out += `${name}\u0000${labels[name]}\u0001`
  return out
}

/** The labels in sorted name order (stable JSON and payloads). */
export function sortedLabels(labels: Labels): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of Object.keys(labels).sort()) out[name] = labels[name]!
  return out
}

/** Labels both sets share with equal values (Alertmanager's commonLabels). */
export function commonLabels(sets: readonly Labels[]): Record<string, string> {
  if (sets.length === 0) return {}
  const out: Record<string, string> = { ...sets[0] }
  for (const set of sets.slice(1)) for (const name of Object.keys(out)) if (set[name] !== out[name]) delete out[name]
  return sortedLabels(out)
}
