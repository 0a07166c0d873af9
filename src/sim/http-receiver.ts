import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A real HTTP receiver on 127.0.0.1 for the notifier tests and bench-alerts: records every request body and
 * answers as `respond` says (a status, or 'hang' to never answer). `close()` ends hung requests.
 */
export interface Receiver {
  url: string
  bodies: unknown[]
  requests: number
  close(): Promise<void>
}

export async function startReceiver(respond: (n: number) => number | 'hang'): Promise<Receiver> {
  const hung: ServerResponse[] = []
  const state = { bodies: [] as unknown[], requests: 0 }
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const n = state.requests++
      try { state.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8'))) } catch { state.bodies.push(null) }
      const answer = respond(n)
      if (answer === 'hang') { hung.push(res); return }
      res.statusCode = answer
      res.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    get bodies() { return state.bodies },
    get requests() { return state.requests },
    async close() {
      for (const res of hung) res.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
