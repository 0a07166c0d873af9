import { LABEL_NAME, type Labels } from './labels.ts'

/**
 * Label matchers, Alertmanager's model (silences, inhibition rules, rule selectors):
 * `name=value`, `name!=value`, `name=~regex`, `name!~regex`. A missing label matches as the
 * empty string, as in Alertmanager. Regexes are fully anchored (`^(?:re)$`), as Alertmanager
 * anchors them.
 *
 * Safety: Alertmanager runs RE2, which guarantees linear time; JavaScript's engine backtracks.
 * So we accept only what RE2 accepts and cannot blow up here: a bounded pattern, no
 * backreferences or lookaround (RE2 rejects them too), and no quantified group that itself
 * contains a quantifier (`(a+)+`, `(a|aa)*`), the shape behind catastrophic backtracking.
 * Label values are bounded (labels.ts), so a match is bounded work.
 */
export type MatchOp = '=' | '!=' | '=~' | '!~'
export const MATCH_OPS: readonly MatchOp[] = ['=', '!=', '=~', '!~']

export interface Matcher {
  name: string
  op: MatchOp
  value: string
}

export const MATCHER_VALUE_CHARS_MAX = 256

/** A matcher with its regex compiled once. */
export interface CompiledMatcher extends Matcher {
  test(labels: Labels): boolean
}

/** Why a regex is refused, or undefined when it is safe to compile. */
function unsafeRegex(pattern: string): string | undefined {
  if (/\\[1-9]|\\k</.test(pattern)) return 'backreferences are not supported (RE2 syntax)'
  if (/\(\?<?[=!]/.test(pattern)) return 'lookaround is not supported (RE2 syntax)'
  // A group that contains a quantifier or an alternation, and is itself quantified.
  const stack: { inner: boolean }[] = []
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '\\') { i++; continue }
    if (c === '[') { // skip a character class
      i++
      if (pattern[i] === ']') i++
      while (i < pattern.length && pattern[i] !== ']') { if (pattern[i] === '\\') i++; i++ }
      continue
    }
    if (c === '(') stack.push({ inner: false })
    else if (c === ')') {
      const group = stack.pop()
      const next = pattern[i + 1]
      const quantified = next === '*' || next === '+' || next === '?' || next === '{'
      if (group?.inner === true && quantified && next !== '?') return 'nested quantifiers (e.g. (a+)+) can take exponential time'
      if (group?.inner === true && stack.length > 0) stack[stack.length - 1]!.inner = true
      if (quantified && stack.length > 0) stack[stack.length - 1]!.inner = true
    } else if ((c === '*' || c === '+' || c === '{' || c === '|') && stack.length > 0) stack[stack.length - 1]!.inner = true
  }
  return undefined
}

/** Validates and compiles a matcher; throws a RangeError naming what is wrong. */
export function compileMatcher(m: Matcher): CompiledMatcher {
  if (!LABEL_NAME.test(m.name)) throw new RangeError(`matcher label name "${m.name}" is not a valid label name`)
  if (!MATCH_OPS.includes(m.op)) throw new RangeError(`matcher operator "${m.op}" is not one of ${MATCH_OPS.join(' ')}`)
  if (m.value.length > MATCHER_VALUE_CHARS_MAX) throw new RangeError(`matcher ${m.name}${m.op}: value is longer than ${MATCHER_VALUE_CHARS_MAX} characters`)
  const { name, op, value } = m
  if (op === '=') return { name, op, value, test: (l) => (l[name] ?? '') === value }
  if (op === '!=') return { name, op, value, test: (l) => (l[name] ?? '') !== value }
  const why = unsafeRegex(value)
  if (why !== undefined) throw new RangeError(`matcher ${name}${op}"${value}": ${why}`)
  let re: RegExp
  try {
    re = new RegExp(`^(?:${value})$`, 'u')
  } catch (error) {
    throw new RangeError(`matcher ${name}${op}"${value}": ${(error as Error).message}`, { cause: error })
  }
  return op === '=~'
    ? { name, op, value, test: (l) => re.test(l[name] ?? '') }
    : { name, op, value, test: (l) => !re.test(l[name] ?? '') }
}

/** All matchers hold (an empty list matches everything). */
export function matchesAll(matchers: readonly CompiledMatcher[], labels: Labels): boolean {
  for (const m of matchers) if (!m.test(labels)) return false
  return true
}

const MATCHER_TEXT = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/

/**
 * Parses the CLI form `name=value`, `name!~"re"`. A double-quoted value unescapes only `\"` and
 * `\\`, so regex escapes such as `\.` survive.
 */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_TEXT.exec(text)
  if (m === null) throw new RangeError(`matcher "${text}" is not name=value, name!=value, name=~regex or name!~regex`)
  let value = m[3]!
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1).replace(/\\(["\\])/g, '$1')
  return { name: m[1]!, op: m[2] as MatchOp, value }
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`
}
