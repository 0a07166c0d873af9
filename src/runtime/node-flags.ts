/**
 * V8 and Node flags a process needs from its start (heap geometry is fixed when V8 starts): a
 * process started without them replaces itself (execve: same pid, same stdio, same arguments)
 * with one that has them. Used by the agent (cli/agent-heap.ts) and the simulator's runner.
 */

/** Whether every flag of `flags` (by name) is already given, on the command line or in NODE_OPTIONS. */
export function hasNodeFlags(flags: readonly string[], execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): boolean {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)]
  return flags.every((flag) => given.some((arg) => arg.split('=')[0] === flag.split('=')[0]))
}

/**
 * Re-executes this process with `flags` in front of its own unless it has them all. Returns
 * only when no re-exec is needed or possible (process.execve is missing on some platforms: the
 * process then runs with V8's defaults).
 */
export function ensureNodeFlags(flags: readonly string[]): void {
  if (hasNodeFlags(flags) || typeof process.execve !== 'function') return
  const script = process.argv[1]
  if (script === undefined) return
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, script, ...process.argv.slice(2)], process.env)
}
