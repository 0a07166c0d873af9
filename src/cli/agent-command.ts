import { Command, Option } from 'commander'
import type { ConfigInput } from '../config/schema.ts'
import { HealthmonError } from '../errors.ts'
import { ensureAgentFlags } from './agent-heap.ts'

/**
 * `healthmon agent`: runs the daemon in the foreground. Options come from defaults <- --profile
 * <- --config file <- HEALTHMON_* env <- flags. SIGTERM and SIGINT announce a graceful leave
 * and stop; a second signal exits at once. The daemon (libp2p: ~0.8 s and ~60 MB to load) is
 * imported only when the command runs, so client commands start fast.
 */
const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value]

function integer(name: string) {
  return (value: string): number => {
    const n = Number(value)
    if (!Number.isInteger(n)) throw new HealthmonError('CONFIG_INVALID', `invalid config: ${name}: must be an integer, got ${JSON.stringify(value)}`)
    return n
  }
}

export function agentCommand(): Command {
  return new Command('agent')
    .description('run the healthmon agent in the foreground (every option has a default: alone it starts a one-node cluster)')
    .option('--name <name>', 'name shown in views (default: host name)')
    .option('--cluster <name>', 'cluster name (default: "default")')
    .option('--listen <multiaddr>', 'address to listen on, repeatable (default: /ip4/127.0.0.1/tcp/7946, this host only; beyond loopback needs --cluster-key-file or --allow-open-cluster)', collect)
    .option('--join <address>', 'member to join: multiaddr or host:port, repeatable', collect)
    .option('--expect <address>', 'member that must exist (multiaddr or host:port, as --join), shown missing until it answers; repeatable', collect)
    .option('--alert-webhook <url>', 'send alert notifications to this URL as Alertmanager webhook JSON (version 4), repeatable', collect)
    .option('--socket <path>', 'unix socket of the local API')
    .option('--admin-socket <path>', 'unix socket for requests that change state (check-ins...), mode 0600 (default: next to --socket, x.sock -> x.admin.sock)')
    .option('--socket-group <group>', 'group (name or gid) given the socket, mode 0660 (default: the agent\'s own group)')
    .option('--data-dir <dir>', 'where the node key and state live')
    .option('--cluster-key-file <file>', 'pre-shared cluster key (see `healthmon keygen`): only holders can connect')
    .option('--allow-open-cluster', 'listen beyond loopback without a cluster key (anyone who reaches the port can join)')
    .option('--http-listen <host:port>', 'serve the read-only HTTP API and the dashboard on this TCP address, e.g. 127.0.0.1:9746 (default: off; beyond loopback needs --http-token-file or --http-allow-unauthenticated)')
    .option('--http-token-file <file>', 'bearer token (first line of the file) the HTTP listener requires')
    .option('--http-allow-unauthenticated', 'serve --http-listen beyond loopback without a token (a trusted network only)')
    .option('--heartbeat-interval-ms <n>', 'heartbeat period in milliseconds (default: 1000)', integer('heartbeatIntervalMs'))
    .addOption(new Option('--profile <name>', 'preset for the defaults').choices(['lan', 'wan', 'local-test']))
    .addOption(new Option('--log-level <level>', 'log level').choices(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']))
    .option('--config <file>', 'JSON or YAML config file')
    .action(async (opts: Record<string, unknown>) => {
      const flags: ConfigInput = {
        name: opts['name'] as string | undefined,
        cluster: opts['cluster'] as string | undefined,
        listen: opts['listen'] as string[] | undefined,
        join: opts['join'] as string[] | undefined,
        expect: opts['expect'] as string[] | undefined,
        socket: opts['socket'] as string | undefined,
        alertWebhooks: (opts['alertWebhook'] as string[] | undefined)?.map((url) => ({ url })),
        adminSocket: opts['adminSocket'] as string | undefined,
        socketGroup: opts['socketGroup'] as string | undefined,
        dataDir: opts['dataDir'] as string | undefined,
        clusterKeyFile: opts['clusterKeyFile'] as string | undefined,
        allowOpenCluster: opts['allowOpenCluster'] as boolean | undefined,
        httpListen: opts['httpListen'] as string | undefined,
        httpTokenFile: opts['httpTokenFile'] as string | undefined,
        httpAllowUnauthenticated: opts['httpAllowUnauthenticated'] as boolean | undefined,
        heartbeatIntervalMs: opts['heartbeatIntervalMs'] as number | undefined,
        profile: opts['profile'] as ConfigInput['profile'],
        logLevel: opts['logLevel'] as ConfigInput['logLevel']
      }
      ensureAgentFlags()
      const [{ loadConfig }, { Daemon }, { createLogger, stderrIsTerminal }] = await Promise.all([import('../config/load.ts'), import('../daemon.ts'), import('../runtime/logger.ts')])
      const warnings: string[] = []
      const config = loadConfig({ flags, flagStyle: 'cli', configFile: opts['config'] as string | undefined, warn: (w) => warnings.push(w) })
      const daemon = new Daemon({ config, warnings, notifySystemd: true, logger: createLogger({ level: config.logLevel, pretty: stderrIsTerminal() }) })
      let stopping = false
      const shutdown = (signal: NodeJS.Signals): void => {
        if (stopping) {
          daemon.logger.warn({ signal }, 'second signal: exiting now')
          process.exit(1)
        }
        stopping = true
        daemon.logger.info({ signal }, 'leaving the cluster')
        daemon.stop({ leave: true }).then(
          () => process.exit(0),
          (err: unknown) => {
            daemon.logger.error({ err }, 'error while stopping')
            process.exit(1)
          }
        )
      }
      process.on('SIGTERM', shutdown)
      process.on('SIGINT', shutdown)
      // The listening TCP and unix sockets keep the process alive until a signal stops it.
      await daemon.start()
    })
}
