import { isIPv4, isIPv6 } from 'node:net'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { HealthmonError } from '../errors.ts'

/**
 * Parsing of `--join` addresses. Operators write either a full multiaddr, as libp2p prints it,
 * or the `host:port` shorthand every other cluster tool (Consul, Serf, etcd) accepts:
 *
 *   /ip4/10.0.0.1/tcp/7946[/p2p/<peer id>]     /ip6/fd00::1/tcp/7946     /dns/node1.example/tcp/7946
 *   10.0.0.1:7946                              [fd00::1]:7946            node1.example:7946
 *
 * Only TCP over ip4, ip6, dns4, dns6 or dns is accepted, since TCP is the only transport the
 * agent runs. A trailing /p2p/<id> pins the peer id: the noise handshake then fails unless the
 * remote proves it holds that id's key.
 */
export interface JoinAddress {
  /** The normalised multiaddr to dial, including /p2p/<id> when the input had one. */
  multiaddr: string
  /** The peer id from a trailing /p2p/<id>, if any. */
  peerId?: string
}

const EXPECTED =
  'expected a multiaddr like /ip4/10.0.0.1/tcp/7946, /ip6/fd00::1/tcp/7946 or /dns/node1.example/tcp/7946 ' +
  '(optionally ending in /p2p/<peer id>), or host:port like 10.0.0.1:7946, [fd00::1]:7946 or node1.example:7946'

const HOST_PROTOCOLS = new Set(['ip4', 'ip6', 'dns', 'dns4', 'dns6'])
// RFC 1123 host names: dot-separated labels of letters, digits and inner hyphens, at most 253 chars.
const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/
const PORT = /^[1-9][0-9]{0,4}$/

function invalid(input: string, reason: string, cause?: unknown): HealthmonError {
  return new HealthmonError('JOIN_ADDRESS_INVALID', `invalid join address "${input}": ${reason}; ${EXPECTED}`, { cause })
}

function checkPort(input: string, port: string | undefined): number {
  if (port === undefined || !PORT.test(port) || Number(port) > 65535) throw invalid(input, 'the port must be 1-65535')
  return Number(port)
}

function parseMultiaddr(input: string): JoinAddress {
  let components
  try {
    components = multiaddr(input).getComponents()
  } catch (err) {
    throw invalid(input, err instanceof Error ? err.message : 'not a multiaddr', err)
  }
  const [host, tcp, p2p, ...rest] = components
  if (host === undefined || !HOST_PROTOCOLS.has(host.name) || host.value === undefined) {
    throw invalid(input, 'it must start with /ip4, /ip6, /dns4, /dns6 or /dns')
  }
  if (host.name.startsWith('dns') && !HOSTNAME.test(host.value)) throw invalid(input, `"${host.value}" is not a valid host name`)
  if (tcp === undefined || tcp.name !== 'tcp') throw invalid(input, 'the host must be followed by /tcp/<port>')
  const port = checkPort(input, tcp.value)
  if (rest.length > 0 || (p2p !== undefined && p2p.name !== 'p2p')) throw invalid(input, 'only /p2p/<peer id> may follow /tcp/<port>')
  const base = `/${host.name}/${host.value}/tcp/${port}`
  if (p2p === undefined) return { multiaddr: base }
  const peerId = checkPeerId(input, p2p.value)
  return { multiaddr: `${base}/p2p/${peerId}`, peerId }
}

function checkPeerId(input: string, value: string | undefined): string {
  try {
    return peerIdFromString(value ?? '').toString()
  } catch (err) {
    throw invalid(input, `"${value ?? ''}" is not a peer id`, err)
  }
}

function parseHostPort(input: string): JoinAddress {
  // [v6]:port first: an IPv6 literal has colons of its own, so it must be bracketed.
  const bracketed = /^\[([^\]]+)\]:([^:]*)$/.exec(input)
  if (bracketed !== null) {
    const [, host = '', port] = bracketed
    if (!isIPv6(host)) throw invalid(input, `"${host}" is not an IPv6 address`)
    return { multiaddr: `/ip6/${host}/tcp/${checkPort(input, port)}` }
  }
  const colon = input.lastIndexOf(':')
  if (colon <= 0) throw invalid(input, 'no port given')
  const host = input.slice(0, colon)
  const port = checkPort(input, input.slice(colon + 1))
  if (host.includes(':')) throw invalid(input, 'an IPv6 address must be written in brackets, as [addr]:port')
  if (isIPv4(host)) return { multiaddr: `/ip4/${host}/tcp/${port}` }
  // Something that looks like a dotted quad but is not a valid one is a typo, not a host name.
  if (/^[0-9.]+$/.test(host)) throw invalid(input, `"${host}" is not an IPv4 address`)
  if (!HOSTNAME.test(host)) throw invalid(input, `"${host}" is not a valid host name`)
  // /dns resolves both A and AAAA records, so a dual-stack name works whichever family answers.
  return { multiaddr: `/dns/${host}/tcp/${port}` }
}

/** Parses one `--join` value. Throws HealthmonError JOIN_ADDRESS_INVALID naming the input. */
export function parseJoinAddress(input: string): JoinAddress {
  const trimmed = input.trim()
  if (trimmed === '') throw invalid(input, 'it is empty')
  return trimmed.startsWith('/') ? parseMultiaddr(trimmed) : parseHostPort(trimmed)
}
