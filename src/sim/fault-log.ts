/**
 * Which node was faulty when: every fault the nemesis applied, as an interval on one node. The
 * checkers read it (with the trace) to decide whether a verdict was justified; they never look
 * at the scenario itself, so a new scenario needs no new checker.
 *
 * Kinds:
 * - crash: the process is gone (ended by restart). host-crash: likewise, and its host does not
 *   answer either. left: stopped after a graceful leave (ended by restart).
 * - pause: SIGSTOP or a GC stall (its length matters: see pauseToleranceMs in the checkers).
 * - slow: CPU-starved (frequent short stalls); the node is alive and must be treated so.
 * - link: a link fault touching the node: a partition side, a cut or one-way link, a clogged
 *   link, a lossy node.
 * - drift: the node's clock runs fast or slow. Recorded, but not a fault the checkers excuse:
 *   the protocol must tolerate drift.
 */
export type FaultKind = 'crash' | 'host-crash' | 'left' | 'pause' | 'slow' | 'link' | 'drift'

export interface Fault {
  node: number
  kind: FaultKind
  fromMs: number
  /** Infinity while it lasts. */
  toMs: number
  detail?: string
}

export class FaultLog {
  readonly faults: Fault[] = []
  private readonly open = new Map<string, Fault>()
  private readonly byNode: Fault[][]

  constructor(nodes: number) {
    this.byNode = Array.from({ length: nodes }, () => [])
  }

  /** Starts a fault; a second start of the same (node, kind, key) while it is open is ignored. */
  start(node: number, kind: FaultKind, atMs: number, key = '', detail?: string): void {
    const k = `${node}|${kind}|${key}`
    if (this.open.has(k)) return
    const f: Fault = { node, kind, fromMs: atMs, toMs: Infinity }
    if (detail !== undefined) f.detail = detail
    this.open.set(k, f)
    this.faults.push(f)
    this.byNode[node]!.push(f)
  }

  end(node: number, kind: FaultKind, atMs: number, key = ''): void {
    const k = `${node}|${kind}|${key}`
    const f = this.open.get(k)
    if (f === undefined) return
    f.toMs = atMs
    this.open.delete(k)
  }

  /** Ends every open fault of the given kinds (all nodes). */
  endAll(kinds: readonly FaultKind[], atMs: number): void {
    for (const [k, f] of [...this.open]) {
      if (kinds.includes(f.kind)) {
        f.toMs = atMs
        this.open.delete(k)
      }
    }
  }

  isOpen(node: number, kind: FaultKind, key = ''): boolean {
    return this.open.has(`${node}|${kind}|${key}`)
  }

  of(node: number): readonly Fault[] {
    return this.byNode[node] ?? []
  }

  /** Faults of `node` (of the given kinds) overlapping [fromMs, toMs]. */
  overlapping(node: number, fromMs: number, toMs: number, kinds?: readonly FaultKind[]): Fault[] {
    return this.of(node).filter((f) => f.fromMs <= toMs && f.toMs >= fromMs && (kinds === undefined || kinds.includes(f.kind)))
  }
}
