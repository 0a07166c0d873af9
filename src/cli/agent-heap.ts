import { ensureNodeFlags, hasNodeFlags } from '../runtime/node-flags.ts'

/**
 * The agent's V8 heap flags, whatever launched it (the bin, `node <bin>`, `node src/cli/main.ts`,
 * npm start, a global install, src/sim/process-cluster.ts):
 * - `--max-semi-space-size=1`: V8 sizes the young generation for throughput (up to 32 MiB per
 *   semi-space on a large machine), while an agent allocates little and lives long; a 1 MiB
 *   semi-space cut its resident memory by ~45 MB at no measurable CPU cost (scripts/bench-detect.ts).
 * - `--heap-growing-percent=30`: after each full GC V8 lets the old generation grow to up to 4x
 *   what survived before the next one, more when the machine is busy (its mutator looks slow next
 *   to the GC). An agent keeps ~35 MB live, so under load its heap swung 35 -> 145 MB between full
 *   GCs and RSS followed the peaks (never given back): the soak's 26-55 % RSS growth, with nothing
 *   retained (the heap left by each full GC stayed flat). Capping the factor at 1.3 (V8's own
 *   factor when it optimises for memory) keeps peaks near 50 MB. Soak (10 agents, 5 min, ~760
 *   req/s, load average ~9 on 2 cores): RSS growth after warm-up 3.6-8.7 % (1.5x: 8.3-12.8 %;
 *   uncapped: up to 55 %). scripts/bench-rss.ts (300 req/s on one agent): at load average 26,
 *   RSS 132 -> 163 MB with a 1.5x cap against 137 -> 257 MB uncapped; at load average 3, where V8
 *   already picks a small factor, the same RSS and agent CPU (26.7 % vs 27 % of a core) either way.
 * Heap geometry is fixed when V8 starts, so a process started without the flags replaces itself
 * with one that has them (runtime/node-flags.ts).
 */
export const AGENT_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--heap-growing-percent=30']

/** Whether this process already runs with the agent's flags (on the command line or in NODE_OPTIONS). */
export function hasAgentFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): boolean {
  return hasNodeFlags(AGENT_NODE_FLAGS, execArgv, nodeOptions)
}

/** Re-executes this process with the agent's flags unless it has them (runtime/node-flags.ts). */
export function ensureAgentFlags(): void {
  ensureNodeFlags(AGENT_NODE_FLAGS)
}
