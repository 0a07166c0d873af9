import { spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ApiClient } from '../api/client.ts'
import { AGENT_NODE_FLAGS } from '../cli/agent-heap.ts'
import type { ClusterView } from '../api/protocol.ts'
import { sleep, systemClock, type Clock } from '../runtime/clock.ts'

/**
 * N real `healthmon agent` processes on 127.0.0.1 (profile local-test), each with its own data
 * dir and socket, observed through their sockets exactly as an operator would. Used by the
 * integration tests, scripts/bench-detect and the cluster runner. Every process it starts is
 * ended by its pid in `close()`, whatever state the run is in.
 */
const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url))

export interface AgentProcess {
  index: number
  name: string
  dataDir: string
  socket: string
  child: ChildProcess | undefined
  /** Its loopback multiaddr, once it answered. */
  addr: string | undefined
  /** stderr tail, for diagnosing a failed start. */
  log: string[]
}

export interface ProcessClusterOptions {
  size: number
  /** Extra agent flags for every node. */
  args?: string[]
  /** Extra agent flags for one node (after `args`), e.g. an HTTP listener on the first only. */
  argsFor?: (agent: AgentProcess) => string[]
  /** Extra environment (HEALTHMON_* options) for every node. */
  env?: Record<string, string>
  clock?: Clock
  /** Base directory; a fresh temp dir by default (removed on close). */
  baseDir?: string
  /** The program run as `node <entry> agent`: src/cli/main.ts by default, or the package's bin (dist/cli/healthmon.js). */
  entry?: string
  /**
   * How the agent is launched: 'node' (default) runs `node [nodeFlags] <entry> agent`; 'exec'
   * runs `<entry> agent` itself, as a user runs the installed bin (its shebang finds node on PATH).
   */
  launch?: 'node' | 'exec'
  /** Node flags for 'node' launches; default the agent's own (AGENT_NODE_FLAGS). [] runs `node <entry>` bare. */
  nodeFlags?: string[]
}

const LOG_LINES_MAX = 200

export class ProcessCluster {
  readonly agents: AgentProcess[] = []
  readonly baseDir: string
  private readonly options: ProcessClusterOptions
  private readonly clock: Clock
  private readonly ownsBaseDir: boolean

  constructor(options: ProcessClusterOptions) {
    this.options = options
    this.clock = options.clock ?? systemClock()
    this.ownsBaseDir = options.baseDir === undefined
    // Short paths: a unix socket path must fit in 107 bytes.
    this.baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), 'hm-'))
    for (let i = 0; i < options.size; i++) {
      const dataDir = join(this.baseDir, `n${i}`)
      mkdirSync(dataDir, { recursive: true })
      this.agents.push({ index: i, name: `node-${i}`, dataDir, socket: join(dataDir, 's.sock'), child: undefined, addr: undefined, log: [] })
    }
  }

  /** Starts the first agent, learns its address, then starts the others joining it. */
  async start(timeoutMs = 30_000): Promise<void> {
    const [first, ...rest] = this.agents
    if (first === undefined) return
    this.spawnAgent(first, [])
    await this.waitForView(first, timeoutMs)
    for (const a of rest) this.spawnAgent(a, [first.addr!])
    await Promise.all(rest.map((a) => this.waitForView(a, timeoutMs)))
  }

  /** Restarts an agent that was killed, with the same data dir (same key, next incarnation). */
  async restart(agent: AgentProcess, timeoutMs = 30_000): Promise<void> {
    const join = this.agents.filter((a) => a !== agent && a.child !== undefined && a.addr !== undefined).slice(0, 2).map((a) => a.addr!)
    this.spawnAgent(agent, join)
    await this.waitForView(agent, timeoutMs)
  }

  signal(agent: AgentProcess, signal: NodeJS.Signals): void {
    if (agent.child?.pid !== undefined) process.kill(agent.child.pid, signal)
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(agent: AgentProcess): Promise<void> {
    const child = agent.child
    if (child === undefined) return
    agent.child = undefined
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL')
    await exited
  }

  /** SIGTERM (graceful leave), and wait for the exit. Returns the exit code. */
  async terminate(agent: AgentProcess, timeoutMs = 10_000): Promise<number | null> {
    const child = agent.child
    if (child === undefined) return null
    if (child.exitCode !== null || child.signalCode !== null) {
      agent.child = undefined
      return child.exitCode
    }
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    this.signal(agent, 'SIGTERM')
    const timer = this.clock.setTimeout(() => this.signal(agent, 'SIGKILL'), timeoutMs)
    const code = await exited
    timer.cancel()
    agent.child = undefined
    return code
  }

  async view(agent: AgentProcess): Promise<ClusterView> {
    return new ApiClient(agent.socket, { timeoutMs: 2000 }).get<ClusterView>('/v1/view')
  }

  /** Polls the agent's socket until it answers. */
  async waitForView(agent: AgentProcess, timeoutMs: number): Promise<ClusterView> {
    const deadline = this.clock.now() + timeoutMs
    let lastError: unknown
    while (this.clock.now() < deadline) {
      if (agent.child === undefined || agent.child.exitCode !== null) {
        throw new Error(`agent ${agent.name} exited (code ${agent.child?.exitCode}): ${agent.log.slice(-5).join('\n')}`)
      }
      try {
        const view = await this.view(agent)
        // The socket answers before the transport listens (the agent claims its socket first):
        // not ready until the view names an address to join.
        const addr = view.self.addrs.find((a) => a.startsWith('/ip4/127.0.0.1/')) ?? view.self.addrs[0]
        if (addr !== undefined) {
          agent.addr = addr
          return view
        }
        lastError = new Error('the agent answers but does not listen yet')
      } catch (err) {
        lastError = err
      }
      await sleep(this.clock, 50)
    }
    throw new Error(`agent ${agent.name} did not answer on ${agent.socket} within ${timeoutMs} ms: ${String(lastError)}\n${agent.log.slice(-5).join('\n')}`)
  }

  /**
   * Polls `predicate` over the views of `agents` every `pollMs` until it holds for all; returns
   * the elapsed ms, or undefined at the deadline.
   */
  async waitUntil(agents: AgentProcess[], predicate: (view: ClusterView, agent: AgentProcess) => boolean, timeoutMs: number, pollMs = 100): Promise<number | undefined> {
    const start = this.clock.now()
    while (this.clock.now() - start < timeoutMs) {
      const views = await Promise.all(agents.map((a) => this.view(a).catch(() => undefined)))
      if (views.every((v, i) => v !== undefined && predicate(v, agents[i]!))) return this.clock.now() - start
      await sleep(this.clock, pollMs)
    }
    return undefined
  }

  /** Ends every process by its pid and removes the temp dir. */
  async close(): Promise<void> {
    await Promise.all(this.agents.map((a) => this.kill(a).catch(() => {})))
    if (this.ownsBaseDir) rmSync(this.baseDir, { recursive: true, force: true })
  }

  private spawnAgent(agent: AgentProcess, join: string[]): void {
    const args = [
      'agent',
      '--profile', 'local-test',
      '--name', agent.name,
      '--data-dir', agent.dataDir,
      '--socket', agent.socket,
      '--log-level', 'warn',
      ...join.flatMap((j) => ['--join', j]),
      ...(this.options.args ?? []),
      ...(this.options.argsFor?.(agent) ?? [])
    ]
    const entry = this.options.entry ?? MAIN
    // The agent's own heap flags (src/cli/agent-heap.ts), given up front so it need not re-exec.
    const nodeFlags = this.options.nodeFlags ?? AGENT_NODE_FLAGS
    const [program, argv] = this.options.launch === 'exec' ? [entry, args] : [process.execPath, [...nodeFlags, entry, ...args]]
    const child = spawn(program, argv, {
      env: { ...process.env, ...this.options.env, HEALTHMON_SOCKET: '' },
      stdio: ['ignore', 'ignore', 'pipe']
    })
    agent.log = []
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      agent.log.push(...chunk.split('\n').filter((l) => l !== ''))
      if (agent.log.length > LOG_LINES_MAX) agent.log.splice(0, agent.log.length - LOG_LINES_MAX)
    })
    agent.child = child
  }
}
