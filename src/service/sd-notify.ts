import { spawn, type ChildProcess } from 'node:child_process'
import type { Clock, Timer } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'

/**
 * The systemd notification protocol (sd_notify(3)) for `Type=notify` units: READY=1 once the
 * agent serves, STATUS= lines, WATCHDOG=1 every half of WATCHDOG_USEC, STOPPING=1 on shutdown.
 * Active only when systemd sets NOTIFY_SOCKET.
 *
 * The notify socket is a unix *datagram* socket, which Node cannot send to (node:dgram is UDP
 * only, and a native addon cannot be built here). A one-shot `systemd-notify` per message races
 * systemd: it exits before systemd reads the message, and systemd before 254 then cannot tell
 * which unit sent it, drops it, and a dropped watchdog ping gets the agent killed. So one small
 * helper lives as long as the agent and forwards each line it reads as one datagram: Perl, whose
 * Socket module is in perl-base, an essential package on Debian. The unit must say
 * `NotifyAccess=all`, since the datagrams come from the helper's pid.
 */
export interface SdNotifyOptions {
  env?: NodeJS.ProcessEnv
  clock: Clock
  logger: Logger
}

// Reads lines on stdin; each line is one datagram, with "\n" (backslash n) meaning a newline.
// An abstract socket (@name) is "\0name" in the address.
const HELPER = [
  'use strict; use Socket;',
  'my $path = $ENV{NOTIFY_SOCKET}; $path =~ s/^@/\\0/;',
  'socket(my $s, PF_UNIX, SOCK_DGRAM, 0) or die "socket: $!\\n";',
  'my $addr = sockaddr_un($path);',
  'while (my $line = <STDIN>) { chomp $line; $line =~ s/\\\\n/\\n/g; defined(send($s, $line, 0, $addr)) or print STDERR "send: $!\\n"; }'
].join(' ')

export class SdNotify {
  private readonly options: SdNotifyOptions
  private readonly socket: string | undefined
  private helper: ChildProcess | undefined
  private watchdog: Timer | undefined

  constructor(options: SdNotifyOptions) {
    this.options = options
    const socket = (options.env ?? process.env)['NOTIFY_SOCKET']
    this.socket = socket !== undefined && socket !== '' ? socket : undefined
  }

  /** Whether systemd asked for notifications. */
  get enabled(): boolean {
    return this.socket !== undefined
  }

  /**
   * The watchdog period systemd expects pings within (WATCHDOG_USEC, when WATCHDOG_PID is unset
   * or this process), or undefined.
   */
  watchdogMs(): number | undefined {
    const env = this.options.env ?? process.env
    const usec = Number(env['WATCHDOG_USEC'])
    const pid = env['WATCHDOG_PID']
    if (!Number.isFinite(usec) || usec <= 0) return undefined
    if (pid !== undefined && pid !== '' && Number(pid) !== process.pid) return undefined
    return usec / 1000
  }

  /** READY=1 with a status line; starts the watchdog pings when systemd asked for them. */
  ready(status: string): void {
    if (!this.enabled) return
    this.send(`READY=1\nMAINPID=${process.pid}\nSTATUS=${status}`)
    const period = this.watchdogMs()
    if (period !== undefined) {
      // Half the period, as sd_watchdog_enabled(3) advises: one late tick is not yet a miss. The
      // ping comes from the event loop, so an agent stuck in a loop is restarted.
      this.watchdog = this.options.clock.setInterval(() => this.send('WATCHDOG=1'), Math.max(10, period / 2))
    }
  }

  status(text: string): void {
    if (this.enabled) this.send(`STATUS=${text}`)
  }

  /** STOPPING=1, and ends the watchdog and the helper once the line is written. */
  stopping(): Promise<void> {
    if (!this.enabled) return Promise.resolve()
    this.watchdog?.cancel()
    this.watchdog = undefined
    this.send('STOPPING=1')
    const helper = this.helper
    this.helper = undefined
    if (helper?.stdin === null || helper === undefined) return Promise.resolve()
    return new Promise((resolve) => {
      helper.once('exit', () => resolve())
      helper.stdin!.end()
    })
  }

  private send(message: string): void {
    const helper = this.helper ?? this.startHelper()
    if (helper?.stdin?.writable !== true) return
    helper.stdin.write(`${message.replace(/\\/g, '/').replace(/\n/g, '\\n')}\n`)
  }

  private startHelper(): ChildProcess | undefined {
    const helper = spawn('perl', ['-e', HELPER], { stdio: ['pipe', 'ignore', 'pipe'], env: { NOTIFY_SOCKET: this.socket!, PATH: '/usr/bin:/bin' } })
    helper.on('error', (err) => this.options.logger.error({ err }, 'cannot start the sd_notify helper (perl): systemd will not hear READY=1 or watchdog pings'))
    helper.stderr!.on('data', (d: Buffer) => this.options.logger.warn({ helper: d.toString().trim() }, 'sd_notify helper'))
    helper.stdin!.on('error', () => { /* the helper died: reported by its exit */ })
    helper.on('exit', (code, signal) => {
      if (this.helper === helper) {
        this.helper = undefined
        this.options.logger.warn({ code, signal }, 'the sd_notify helper exited; it restarts with the next message')
      }
    })
    // Not a reason for the event loop to stay alive on its own.
    helper.unref()
    this.helper = helper
    return helper
  }
}
