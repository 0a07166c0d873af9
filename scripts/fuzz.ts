/**
 * Fuzzing (issue 11), one JSON line on stdout:
 *   node scripts/fuzz.ts [--cases 100000] [--seed 1] [--socket-malformed 5000]
 * - wire: --cases generated and mutated gossip messages (scripts/fuzz/wire-cases.ts) through the
 *   codec, the message validator and a ClusterNode's receive path (scripts/fuzz/wire-run.ts):
 *   cases per target, rejects by reason, throws (must be 0), cases no counter accounted for
 *   (must be 0), a tenth of the cases also as anti-entropy requests, and the heap after a forced GC at 10 % of the run and at its end;
 * - socket: malformed HTTP, huge headers and bodies, slowloris and a connection flood against a
 *   real unix socket server (scripts/fuzz/socket-run.ts): answers by status, hung connections,
 *   normal requests answered after each attack, the server's reject counters.
 * Exits 1 when a property fails (a throw, an unaccounted case, a hung connection, a failed
 * normal request).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { startApiServer } from '../src/api/socket-listener.ts'
import { silentLogger } from '../src/runtime/logger.ts'
import { fixtureBackend } from '../test/api/fixtures.ts'
import { runSocketFuzz } from './fuzz/socket-run.ts'
import { runWireFuzz } from './fuzz/wire-run.ts'

const { values } = parseArgs({ options: { cases: { type: 'string', default: '100000' }, seed: { type: 'string', default: '1' }, 'socket-malformed': { type: 'string', default: '5000' } } })
const cases = Number(values.cases)
const seed = Number(values.seed)

// A forced collection before each heap reading, so growth means retained memory, not garbage.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const heapMb = (): number => {
  gc()
  return Math.round(process.memoryUsage().heapUsed / 1024 / 1024 * 10) / 10
}

const started = performance.now()
let heapAtWarmupMb: number | undefined
const warmup = Math.max(1, Math.floor(cases / 10))
const wire = await runWireFuzz({ cases, seed, onBatch: (done) => { if (heapAtWarmupMb === undefined && done >= warmup) heapAtWarmupMb = heapMb() } })
const heapAtEndMb = heapMb()
const wireSeconds = (performance.now() - started) / 1000

const dir = await mkdtemp(join(tmpdir(), 'hm-fuzz-'))
const server = await startApiServer({
  socketPath: join(dir, 'fuzz.sock'), backend: fixtureBackend(), logger: silentLogger(),
  headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 1000, streamHeartbeatMs: 500, connectionsMax: 16
})
let socket
try {
  socket = await runSocketFuzz({ server, seed, malformed: Number(values['socket-malformed']), slowClients: 12, flood: 200, deadlineMs: 5000 })
} finally {
  await server.close()
  await rm(dir, { recursive: true, force: true })
}

const throws = wire.codec.throws + wire.validator.throws + wire.node.throws + wire.node.handlerErrors + wire.sync.handlerErrors
const failed = throws > 0 || wire.node.unaccounted > 0 || socket.hung > 0 || socket.healthyAfter !== socket.healthChecks
const s = socket.stats
console.log(JSON.stringify({
  script: 'fuzz',
  ok: !failed,
  seed,
  wire: {
    cases: wire.cases,
    seconds: Math.round(wireSeconds * 10) / 10,
    casesPerTarget: { codec: wire.cases, validator: wire.cases, node: wire.cases },
    byFamily: wire.byFamily,
    byMutation: wire.byMutation,
    throws,
    firstThrow: wire.firstThrow,
    unaccounted: wire.node.unaccounted,
    codec: { ok: wire.codec.ok, rejected: wire.codec.rejected },
    validator: { accepted: wire.validator.accepted, rejected: wire.validator.rejected },
    node: {
      accepted: wire.node.accepted, rejected: wire.node.rejected, oversizeAtTransport: wire.node.oversizeAtTransport,
      unsubscribedTopic: wire.node.unsubscribedTopic, trustRejected: wire.node.trustRejected, actorRestarts: wire.node.actorRestarts,
      members: wire.node.members, membersMax: wire.node.membersMax
    },
    sync: wire.sync,
    heapMb: { atWarmup: heapAtWarmupMb, atEnd: heapAtEndMb, growth: heapAtWarmupMb === undefined ? undefined : Math.round((heapAtEndMb - heapAtWarmupMb) * 10) / 10 }
  },
  socket: {
    sent: socket.sent, answers: socket.answers, hung: socket.hung, healthyAfter: `${socket.healthyAfter}/${socket.healthChecks}`,
    rejects: { clientErrorsByKind: s.clientErrorsByKind, errorsByCode: s.errorsByCode, connectionsRejected: s.connectionsRejected, connectionsDropped: s.connectionsDropped }
  }
}))
process.exit(failed ? 1 : 0)
