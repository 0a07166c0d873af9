import type { ResolvedOp } from './scenario.ts'
import type { SimCluster } from './sim-cluster.ts'

/**
 * Applies a resolved scenario to a SimCluster: each operation becomes a timer on the virtual
 * clock at scenario start + atMs, and every fault it causes is written to the fault log (by the
 * cluster for process faults, here for link faults) so the checkers can judge verdicts without
 * knowing the scenario.
 *
 * Link faults are logged on the smaller side of the cut (both sides when equal): a node cut off
 * from most of the cluster is the faulty one, the majority is not, and its verdicts about its
 * own side are still checked.
 */
export interface NemesisLog {
  /** Times (since the epoch) at which heal-all ran: where the healing phases start. */
  heals: number[]
  /** Time of the last operation that started or ended a fault. */
  lastFaultChangeMs: number
  /** Operations applied, in order, as readable lines. */
  applied: string[]
}

export function applyScenario(sim: SimCluster, ops: readonly ResolvedOp[], startMs: number): NemesisLog {
  const log: NemesisLog = { heals: [], lastFaultChangeMs: startMs, applied: [] }
  const at = (ms: number, fn: () => void): void => sim.at(startMs + ms, () => {
    log.lastFaultChangeMs = Math.max(log.lastFaultChangeMs, sim.now())
    fn()
  })
  const idx = (id: string): number => sim.get(id).index
  let linkKey = 0
  const linkFault = (from: readonly string[], to: readonly string[], startAt: number, endAt: number | undefined): void => {
    const key = `L${linkKey++}`
    const sides = from.length < to.length ? [from] : to.length < from.length ? [to] : [from, to]
    at(startAt, () => { for (const side of sides) for (const id of side) sim.faults.start(idx(id), 'link', sim.now(), key) })
    if (endAt !== undefined) at(endAt, () => { for (const side of sides) for (const id of side) sim.faults.end(idx(id), 'link', sim.now(), key) })
  }
  const cutAll = (from: readonly string[], to: readonly string[], oneWay: boolean, cut: boolean): void => {
    for (const a of from) for (const b of to) {
      if (cut) sim.model.cut(a, b, oneWay)
      else sim.model.heal(a, b, oneWay)
    }
  }

  for (const op of ops) {
    const end = op.forMs !== undefined ? op.atMs + op.forMs : undefined
    switch (op.op) {
      case 'crash':
      case 'host-crash':
      case 'leave':
        at(op.atMs, () => {
          for (const id of op.nodes!) {
            if (op.op === 'crash') sim.crash(id)
            else if (op.op === 'host-crash') sim.hostCrash(id)
            else sim.leave(id)
          }
        })
        if (end !== undefined) at(end, () => { for (const id of op.nodes!) sim.restart(id) })
        break
      case 'restart':
        at(op.atMs, () => { for (const id of op.nodes!) sim.restart(id) })
        break
      case 'pause':
        at(op.atMs, () => { for (const id of op.nodes!) sim.pause(id) })
        at(end!, () => { for (const id of op.nodes!) sim.resume(id) })
        break
      case 'slow':
        at(op.atMs, () => { for (const id of op.nodes!) sim.setSlow(id, op.slow) })
        if (end !== undefined) at(end, () => { for (const id of op.nodes!) sim.setSlow(id, undefined) })
        break
      case 'drift':
        at(op.atMs, () => { op.nodes!.forEach((id, i) => sim.setDrift(id, op.rates![i]!)) })
        break
      case 'partition': {
        const sides = op.sides!
        const largest = Math.max(...sides.map((s) => s.length))
        const key = `P${linkKey++}`
        const minority = sides.filter((s) => s.length < largest || sides.every((x) => x.length === largest))
        at(op.atMs, () => {
          sim.model.partition(sides)
          for (const side of minority) for (const id of side) sim.faults.start(idx(id), 'link', sim.now(), key)
        })
        if (end !== undefined) {
          at(end, () => {
            sim.model.healPartition()
            for (const side of minority) for (const id of side) sim.faults.end(idx(id), 'link', sim.now(), key)
          })
        }
        break
      }
      case 'cut':
        at(op.atMs, () => cutAll(op.from!, op.to!, op.oneWay!, true))
        if (end !== undefined) at(end, () => cutAll(op.from!, op.to!, op.oneWay!, false))
        linkFault(op.from!, op.to!, op.atMs, end)
        break
      case 'flap': {
        const period = op.onMs! + op.offMs!
        for (let t = op.atMs; t < op.untilMs!; t += period) {
          at(t, () => cutAll(op.from!, op.to!, op.oneWay!, true))
          at(Math.min(t + op.onMs!, op.untilMs!), () => cutAll(op.from!, op.to!, op.oneWay!, false))
        }
        linkFault(op.from!, op.to!, op.atMs, op.untilMs)
        break
      }
      case 'clog':
        at(op.atMs, () => { for (const a of op.from!) for (const b of op.to!) sim.model.clog(a, b, sim.clock.now() + op.forMs!) })
        linkFault(op.from!, op.to!, op.atMs, end)
        break
      case 'lossy': {
        const key = `N${linkKey++}`
        at(op.atMs, () => { for (const id of op.nodes!) { sim.model.setNodeLoss(id, op.rate!); sim.faults.start(idx(id), 'link', sim.now(), key) } })
        if (end !== undefined) at(end, () => { for (const id of op.nodes!) { sim.model.setNodeLoss(id, 0); sim.faults.end(idx(id), 'link', sim.now(), key) } })
        break
      }
      case 'loss':
        at(op.atMs, () => sim.model.setLossRate(op.rate))
        if (end !== undefined) at(end, () => sim.model.setLossRate(undefined))
        break
      case 'rolling-restart':
        op.nodes!.forEach((id, i) => {
          const t = op.atMs + i * op.everyMs!
          at(t, () => { if (op.mode === 'crash') sim.crash(id); else sim.leave(id) })
          at(t + op.downForMs!, () => sim.restart(id))
        })
        break
      case 'churn':
        for (let t = op.atMs; t < op.untilMs!; t += op.everyMs!) {
          at(t, () => {
            const running = sim.running()
            const victim = running[sim.random.int(running.length)]
            if (victim === undefined) return
            sim.crash(victim.id)
            sim.at(sim.now() + op.downForMs!, () => sim.restart(victim.id))
          })
        }
        break
      case 'heal-all':
        at(op.atMs, () => {
          log.heals.push(sim.now())
          sim.model.healAll()
          for (const n of sim.nodes) {
            sim.faults.end(n.index, 'link', sim.now())
            if (n.slow !== undefined) sim.setSlow(n.id, undefined)
            while (n.pauses > 0 && sim.faults.isOpen(n.index, 'pause')) sim.resume(n.id)
          }
          sim.faults.endAll(['link'], sim.now())
        })
        break
    }
  }
  return log
}
