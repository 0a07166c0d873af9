import { totalmem } from 'node:os'

/**
 * The simulator's V8 flags (simulations/run.ts re-executes itself with them, runtime/node-flags.ts):
 * - `--max-old-space-size`: 85 % of the machine's memory. The simulator keeps every node's state
 *   in one heap, N² member entries, and V8's default limit (about 4 GB) aborted a 2,000-node run
 *   during its boot with a heap out-of-memory on a 24 GiB machine. V8 does not reserve the limit:
 *   smaller runs use what they used before.
 * - `--max-semi-space-size=128` (MiB): the simulator allocates fast and briefly (a decoded
 *   message, a step's copies); a large young generation lets most of it die there instead of
 *   being promoted and marked again in an old space of gigabytes (256 and 512 were slower and
 *   larger at 1,000 nodes).
 * - `--heap-growing-percent=50`: the old space may grow by half of what the last full GC left
 *   before the next one, not V8's up-to-4x. 1,000 nodes x 10 min peaked at 2,621-3,056 MiB
 *   resident without it (three of five runs above the 3 GB budget) and at 2,522-2,563 MiB with
 *   it, in no more CPU time (138-178 s against 119-162 s, within this machine's run-to-run spread).
 */
export function simNodeFlags(totalBytes = totalmem()): string[] {
  return [`--max-old-space-size=${Math.floor((totalBytes * 0.85) / 2 ** 20)}`, '--max-semi-space-size=128', '--heap-growing-percent=50']
}
