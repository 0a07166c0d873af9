/**
 * The httpListen option: a TCP address for the read-only HTTP listener (src/api/http-listener.ts).
 * Like the cluster's own listen addresses (loopback.ts), a bind that other hosts can reach is
 * refused unless something guards it: a bearer token (httpTokenFile) or the operator's explicit
 * httpAllowUnauthenticated. The listener serves the whole view, the alerts and the metrics, which
 * tell an attacker what is down and where.
 */
import type { ConfigProblem } from '../errors.ts'
import type { Config } from './schema.ts'

export interface HttpListenAddress {
  /** As given, without the brackets of an IPv6 literal. */
  host: string
  /** 0 picks a free port. */
  port: number
}

const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/

/** Parses `host:port` (`[::1]:9746` for IPv6); a string is the rule it broke. */
export function parseHttpListen(value: string): HttpListenAddress | string {
  const match = HOST_PORT.exec(value)
  if (match === null) return `must be host:port, e.g. 127.0.0.1:9746 or [::1]:9746, got ${JSON.stringify(value)}`
  const port = Number(match[3])
  if (port > 65_535) return `port must be 0-65535, got ${port}`
  return { host: match[1] ?? match[2]!, port }
}

/** Whether only this host can reach `host`: 127.0.0.0/8, ::1 or localhost. */
export function isLoopbackHost(host: string): boolean {
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host.toLowerCase() === 'localhost'
}

/** Adds a problem for a malformed httpListen, or one reachable from other hosts with no guard. */
export function checkHttpListen(config: Config, problems: ConfigProblem[], sourceOf: (key: string) => string | undefined): void {
  if (config.httpListen === '') return
  const address = parseHttpListen(config.httpListen)
  if (typeof address === 'string') {
    problems.push({ key: 'httpListen', rule: address, source: sourceOf('httpListen') })
    return
  }
  if (!isLoopbackHost(address.host) && config.httpTokenFile === '' && !config.httpAllowUnauthenticated) {
    problems.push({
      key: 'httpListen',
      rule: `${config.httpListen} is reachable from other hosts, and without a token anyone who reaches it can read the cluster's view, alerts and metrics; ` +
        'put a token of at least 16 characters in a file (mode 0600) and pass --http-token-file FILE (httpTokenFile); clients send Authorization: Bearer TOKEN; ' +
        'or set httpAllowUnauthenticated: true (--http-allow-unauthenticated) on a trusted network',
      source: sourceOf('httpListen'),
      code: 'HTTP_TOKEN_REQUIRED'
    })
  }
}
