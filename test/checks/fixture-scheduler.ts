/**
 * A real CheckScheduler for the API and CLI tests: a TTL check `batch` (60 s) and a tcp check
 * `port` (127.0.0.1:1, never run unless the clock is advanced), on a VirtualClock.
 */
import { resolveCheck } from '../../src/checks/check-config.ts'
import { CheckScheduler } from '../../src/checks/scheduler.ts'
import { silentLogger } from '../../src/runtime/logger.ts'
import { seededRandom } from '../../src/runtime/random.ts'
import { VirtualClock } from '../../src/runtime/virtual-clock.ts'

export function ttlScheduler(clock = new VirtualClock()): CheckScheduler {
  return new CheckScheduler({
    checks: [{ id: 'batch', ttlMs: 60_000 }, { id: 'port', tcp: '127.0.0.1:1', intervalMs: 60_000 }].map(resolveCheck),
    clock, random: seededRandom(1), logger: silentLogger(), runsConcurrentMax: 2, outputBytesMax: 4096, httpBodyBytesMax: 65_536
  })
}
