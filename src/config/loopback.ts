/**
 * Whether listen addresses reach beyond this host. A try-out agent listens on 127.0.0.1 only;
 * anything else (0.0.0.0, a LAN address, ::) exposes the cluster to whoever can reach the port,
 * which the agent refuses without a cluster key (src/config/load.ts).
 */
const LOOPBACK = [/^\/ip4\/127\.\d{1,3}\.\d{1,3}\.\d{1,3}\//, /^\/ip6\/::1\//, /^\/dns[46]?\/localhost\//]

/** The first listen address that is not loopback, or undefined when all are. */
export function listensBeyondLoopback(listen: readonly string[]): string | undefined {
  return listen.find((address) => !LOOPBACK.some((pattern) => pattern.test(`${address}/`)))
}

/** Whether every address is loopback-only. */
export function isLoopbackOnly(listen: readonly string[]): boolean {
  return listensBeyondLoopback(listen) === undefined
}
