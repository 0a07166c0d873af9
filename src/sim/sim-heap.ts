import { totalmem } from 'node:os'

/**
 * The simulator's V8 flags (simulations/run.ts re-executes itself with them, runtime/node-flags.ts):
 * - `--max-old-space-size`: 85 % of the machine's memory. The simulator keeps every node's state
 *   in one heap, N² member entries, and V8's default limit (about 4 GB) aborted a 2,000-node run
 *   during its boot with a heap out-of-memory on a 24 GiB machine. V8 does not reserve the limit:
 *   smaller runs use what they used before.
 * - `--max-semi-space-size=128` (MiB): the simulator allocates fast and briefly (a decoded
 *   message, a step's copies); a large young generation lets most of it die there instead of
 *   being promoted and marked again in an old space of gigabytes.
 */
export function simNodeFlags(totalBytes = totalmem()): string[] {
  return [`--max-old-space-size=${Math.floor((totalBytes * 0.85) / 2 ** 20)}`, '--max-semi-space-size=128']
}
