/**
 * Crash safety of silences through a real agent (issue 11): silences are POSTed to a real
 * agent's admin socket, two at a time without pause, and the agent is SIGKILLed at a seeded random
 * moment, ROUNDS times over the same data dir. After each kill a copy of the database files (as
 * the kill left them, WAL included) opens cleanly with PRAGMA integrity_check ok and holds a row
 * for every silence whose POST was answered 201; the agent restarted on the original files
 * answers GET /v1/silences with every one of them, active, and ids are never reused. A POST
 * answered 201 was written to SQLite before the answer (AlertRuntime.addSilence), so nothing
 * acknowledged may be missing.
 */
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { ApiClient } from '../../src/api/client.ts'
import { API_PATHS, type SilencesResponse, type SilenceView } from '../../src/api/protocol.ts'
import { defaultAdminSocketPath } from '../../src/config/paths.ts'
import { DATABASE_FILE } from '../../src/daemon-health.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { ProcessCluster } from '../../src/sim/process-cluster.ts'
import { openDatabase } from '../../src/store/database.ts'
import { MIGRATIONS } from '../../src/store/migrations.ts'

const ROUNDS = 5
/** POSTs per round at most (silencesMax is 1,000 by default: ROUNDS x this stays below it). */
const POSTS_PER_ROUND_MAX = 150
const WRITERS = 2

const copies = mkdtempSync(join(tmpdir(), 'hm-silence-copy-'))
after(() => rmSync(copies, { recursive: true, force: true }))

/** One POST /v1/silences on the admin socket; resolves with the status and, on 201, the id. */
function postSilence(adminSocket: string, n: number): Promise<{ status: number; id?: string }> {
  const body = JSON.stringify({ matchers: ['alertname=PeerDead', `peer=crash-${n}`], duration: '1h', createdBy: 'crash-test', comment: `post ${n}` })
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: adminSocket, path: API_PATHS.silences, method: 'POST', agent: false, timeout: 5000, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const status = res.statusCode ?? 0
        if (status !== 201) return resolve({ status })
        resolve({ status, id: (JSON.parse(Buffer.concat(chunks).toString('utf8')) as SilenceView).id })
      })
    })
    req.on('timeout', () => req.destroy(new Error('POST timed out')))
    req.on('error', reject)
    req.end(body)
  })
}

/** The silence ids in a copy of the database files, after checking the copy's integrity. */
function silencesInCopy(dataDir: string, round: number): Set<string> {
  const dir = join(copies, `r${round}`)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir)
  for (const suffix of ['', '-wal', '-shm']) {
    const from = join(dataDir, DATABASE_FILE + suffix)
    if (existsSync(from)) copyFileSync(from, join(dir, DATABASE_FILE + suffix))
  }
  const { db } = openDatabase(join(dir, DATABASE_FILE), MIGRATIONS)
  try {
    const integrity = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]
    assert.deepEqual(integrity.map((r) => r.integrity_check), ['ok'], `round ${round}: integrity`)
    return new Set((db.prepare('SELECT id FROM silences').all() as { id: string }[]).map((r) => r.id))
  } finally {
    db.close()
  }
}

test(`SIGKILL of a real agent at ${ROUNDS} seeded random moments while silences are POSTed: integrity ok, every silence answered 201 is kept`, { timeout: 180_000 }, async (t) => {
  const random = seededRandom(20261204)
  const cluster = new ProcessCluster({ size: 1 })
  const agent = cluster.agents[0]!
  const adminSocket = defaultAdminSocketPath(agent.socket)
  const acknowledged = new Set<string>()
  let posted = 0
  try {
    await cluster.start()
    for (let round = 0; round < ROUNDS; round++) {
      const killAfterMs = 20 + random.int(400)
      let killAt: number | undefined
      let roundPosts = 0
      let refused = 0
      const writer = async (): Promise<void> => {
        // Until the agent is killed under it (a POST then fails: not acknowledged) or the round's bound.
        while (roundPosts < POSTS_PER_ROUND_MAX) {
          const n = posted++
          roundPosts++
          const answer = await postSilence(adminSocket, n).catch(() => undefined)
          if (answer === undefined) return
          if (answer.status !== 201) { refused++; continue }
          assert.ok(!acknowledged.has(answer.id!), `round ${round}: id ${answer.id} answered twice`)
          acknowledged.add(answer.id!)
          killAt ??= Date.now() + killAfterMs
        }
      }
      const writers = Array.from({ length: WRITERS }, writer)
      // The kill lands while POSTs are in flight: wait for the first 201, then the seeded delay.
      for (let i = 0; i < 1000 && (killAt === undefined || Date.now() < killAt) && roundPosts < POSTS_PER_ROUND_MAX; i++) await new Promise((r) => setTimeout(r, 5))
      await cluster.kill(agent)
      await Promise.all(writers)
      assert.equal(refused, 0, `round ${round}: every POST that was answered was answered 201`)

      const stored = silencesInCopy(agent.dataDir, round)
      const lostInFile = [...acknowledged].filter((id) => !stored.has(id))
      assert.deepEqual(lostInFile, [], `round ${round}: acknowledged silences in the database file (${acknowledged.size} acknowledged)`)

      await cluster.restart(agent)
      const answer = await new ApiClient(agent.socket).get<SilencesResponse>(API_PATHS.silences)
      const active = new Set(answer.silences.filter((s) => s.status === 'active').map((s) => s.id))
      const lost = [...acknowledged].filter((id) => !active.has(id))
      assert.deepEqual(lost, [], `round ${round}: acknowledged silences served after restart`)
      t.diagnostic(`round ${round}: killed ${killAfterMs} ms after the first 201; ${roundPosts} POSTs, ${acknowledged.size} acknowledged in all`)
    }
    assert.ok(acknowledged.size >= ROUNDS * 2, `real work before each kill: ${acknowledged.size} silences acknowledged over ${ROUNDS} rounds`)
  } finally {
    await cluster.close()
  }
})
