/**
 * The HTTP listener's bearer token (httpTokenFile). Compared in constant time on SHA-256 digests:
 * timingSafeEqual needs equal lengths, and hashing first means neither the token's length nor
 * how much of a guess matched shows in the answer's timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ConfigError } from '../errors.ts'

/** Tokens shorter than this are refused at start-up: they can be guessed. */
export const TOKEN_CHARS_MIN = 16

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest()

/** The token: the file's first line, trimmed. Unreadable, empty or short stops start-up. */
export function readTokenFile(path: string): string {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError('httpTokenFile', `cannot read ${path}: ${(error as Error).message}`)
  }
  const token = (text.split('\n')[0] ?? '').trim()
  if (token.length < TOKEN_CHARS_MIN) {
    throw new ConfigError('httpTokenFile', `the token in ${path} must be at least ${TOKEN_CHARS_MIN} characters on the first line (e.g. \`openssl rand -hex 32 > ${path}\`)`)
  }
  if (!/^[\x21-\x7e]+$/.test(token)) throw new ConfigError('httpTokenFile', `the token in ${path} must be printable ASCII without spaces`)
  return token
}

/** Checks `Authorization: Bearer TOKEN` headers against one token. */
export class BearerToken {
  private readonly expected: Buffer

  constructor(token: string) {
    this.expected = digest(token)
  }

  /** Whether the header carries the token (scheme case-insensitive, as RFC 6750 allows). */
  accepts(header: string | undefined): boolean {
    if (header === undefined) return false
    const match = /^Bearer +(\S+) *$/i.exec(header)
    if (match === null) return false
    return timingSafeEqual(digest(match[1]!), this.expected)
  }
}
