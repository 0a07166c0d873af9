/**
 * The `healthmon` program (DESIGN.md §3): `agent` runs the daemon; `status`, `members` and
 * `peer` query a running agent through its unix socket. Running this file runs the program
 * (`node src/cli/main.ts agent` is `npm start`; bin/healthmon.js imports it).
 *
 * Exit codes: 0 ok, 1 error (one line on stderr, "healthmon: <what> (<CODE>)"), 2 usage error
 * (commander's message on stderr). The client commands depend only on src/api's protocol and
 * client, plus the shared default socket rule in src/config/paths.ts.
 */
import { Command, CommanderError } from 'commander'
import pkg from '../../package.json' with { type: 'json' }
import { HealthmonError } from '../errors.ts'
import { agentCommand } from './agent-command.ts'
import { membersCommand } from './commands/members.ts'
import { peerCommand } from './commands/peer.ts'
import { statusCommand } from './commands/status.ts'
import { sanitize } from './format.ts'

export const EXIT_OK = 0
export const EXIT_ERROR = 1
export const EXIT_USAGE = 2

function forEachCommand(command: Command, fn: (command: Command) => void): void {
  fn(command)
  for (const sub of command.commands) forEachCommand(sub, fn)
}

const CLIENT_COMMANDS = [statusCommand, membersCommand, peerCommand]

/** Builds the program with every command registered. */
export function buildProgram(): Command {
  const program = new Command('healthmon')
    .version(pkg.version)
    .description('cluster health monitoring: run an agent on every node, then ask any node for its view')
  program.addCommand(agentCommand())
  for (const create of CLIENT_COMMANDS) program.addCommand(create())
  // Commands added with addCommand() do not inherit settings, so every one is told to throw a
  // CommanderError instead of exiting: run() turns those into exit code 2.
  forEachCommand(program, (command) => command.exitOverride())
  return program
}

function errnoOfCause(error: HealthmonError): string | undefined {
  const cause = error.cause
  return typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined
}

/** One line for stderr; for an absent agent, also how to start one. */
export function describeError(error: unknown): string {
  if (error instanceof HealthmonError) {
    let text = `${error.message} (${error.code})`
    const errno = errnoOfCause(error)
    if (error.code === 'AGENT_UNREACHABLE' && (errno === 'ENOENT' || errno === 'ECONNREFUSED')) {
      text += '; start one with `healthmon agent` (or `npm start` in a source checkout), or point --socket at a running one'
    }
    return text
  }
  return error instanceof Error ? error.message : String(error)
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
    return EXIT_ERROR
  }
}

// `healthmon status | head -1` closes stdout early: that is not an error worth a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT_OK)
  throw error
})

process.exitCode = await run(process.argv)
