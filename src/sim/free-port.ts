import { createServer } from 'node:net'

/**
 * A TCP port free on 127.0.0.1 right now (the kernel's pick), for a child agent's --http-listen,
 * whose port the parent must know before the child starts. Another process could take it in
 * between; on a test machine the kernel hands out ephemeral ports round-robin, so that is rare
 * and shows as a clear LISTEN failure, never as a wrong result.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
