/**
 * The `healthmon` program (DESIGN.md §3): `agent` runs the daemon; `status`, `members`, `peer`,
 * `alerts`, `watch`, `health` and `history` query a running agent through its unix socket. Running this
 * file runs the program (`node src/cli/main.ts agent` is `npm start`; src/cli/healthmon.js imports it).
 *
 * Exit codes: 0 ok, 1 error (one line on stderr, "healthmon: <what> (<CODE>)"), 2 usage error
 * (commander's message on stderr); `health` uses the Nagios plugin codes instead (0-3). The
 * client commands depend only on src/api's protocol and client, plus the shared default socket
 * rule in src/config/paths.ts.
 */
import { Command, CommanderError } from 'commander'
import { agentCommand } from './agent-command.ts'
import { alertsCommand } from './commands/alerts.ts'
import { checkInCommand } from './commands/check-in.ts'
import { forceLeaveCommand } from './commands/force-leave.ts'
import { silenceCommand } from './commands/silence.ts'
import { checksCommand } from './commands/checks.ts'
import { healthCommand } from './commands/health.ts'
import { historyCommand } from './commands/history.ts'
import { keygenCommand } from './commands/keygen.ts'
import { membersCommand } from './commands/members.ts'
import { peerCommand } from './commands/peer.ts'
import { statusCommand } from './commands/status.ts'
import { watchCommand } from './commands/watch.ts'
import { HealthmonError } from '../errors.ts'
import { describeError } from './describe-error.ts'
import { sanitize } from './format.ts'
import { VERSION } from '../version.ts'

export { describeError }

export const EXIT_OK = 0
export const EXIT_ERROR = 1
export const EXIT_USAGE = 2

function forEachCommand(command: Command, fn: (command: Command) => void): void {
  fn(command)
  for (const sub of command.commands) forEachCommand(sub, fn)
}

const CLIENT_COMMANDS = [statusCommand, membersCommand, peerCommand, alertsCommand, watchCommand, healthCommand, historyCommand, keygenCommand, checksCommand, checkInCommand, silenceCommand, forceLeaveCommand]

/** Builds the program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('healthmon')
    .version(VERSION)
    .description('cluster health monitoring: run an agent on every node, then ask any node for its view')
  program.addCommand(agentCommand())
  for (const create of CLIENT_COMMANDS) program.addCommand(create())
  // Commands added with addCommand() do not inherit settings, so every one is told to throw a
  // CommanderError instead of exiting: run() turns those into exit code 2.
  forEachCommand(program, (command) => command.exitOverride())
  return program
}

/** Runs the program on argv and returns the exit code; never throws. */
export async function run(argv: readonly string[]): Promise<number> {
  try {
    const program = buildProgram()
    await program.parseAsync([...argv])
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and --version "exit" with 0; program.error() (from a command) keeps its own code;
      // everything else commander throws is a usage error.
      if (error.exitCode === 0) return EXIT_OK
      return error.code === 'commander.error' ? error.exitCode : EXIT_USAGE
    }
    process.stderr.write(`healthmon: ${sanitize(describeError(error).replace(/\s+/g, ' '))}\n`)
    // The agent validates the filters a client command passes through (--limit, --since...):
    // its 400 is about what the user typed, so it is a usage error like commander's own.
    return error instanceof HealthmonError && error.code === 'BAD_REQUEST' ? EXIT_USAGE : EXIT_ERROR
  }
}

// `healthmon status | head -1` closes stdout early: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK)
  throw error
})

process.exitCode = await run(process.argv)
