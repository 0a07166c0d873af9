/**
 * Real sockets on 127.0.0.1 for the check tests: a TCP listener that accepts and holds
 * connections, and a port known to be closed (bound, then released).
 */
import { createServer, type AddressInfo, type Socket } from 'node:net'

export interface TcpListener {
  port: number
  close(): Promise<void>
}

export async function startTcpListener(): Promise<TcpListener> {
  const sockets: Socket[] = []
  const server = createServer((socket) => sockets.push(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => server.close(resolve))
    }
  }
}

/** A port on 127.0.0.1 nothing listens on (just released, so connecting is refused). */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}
