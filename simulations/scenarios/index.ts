import type { Scenario } from '../../src/sim/scenario.ts'
import { scenario as asymmetric } from './asymmetric.ts'
import { scenario as churn } from './churn.ts'
import { scenario as clockDrift } from './clock-drift.ts'
import { scenario as cloggedLink } from './clogged-link.ts'
import { scenario as crash10 } from './crash-10pct.ts'
import { scenario as crash } from './crash.ts'
import { scenario as flappingLink } from './flapping-link.ts'
import { scenario as hostCrash } from './host-crash.ts'
import { scenario as loss10 } from './loss-10pct.ts'
import { scenario as lossyNodes } from './lossy-nodes.ts'
import { scenario as partition } from './partition.ts'
import { scenario as pause1 } from './pause-1s.ts'
import { scenario as pause3 } from './pause-3s.ts'
import { scenario as pause8 } from './pause-8s.ts'
import { scenario as crashLossy } from './crash-lossy.ts'
import { scenario as rollingRestart } from './rolling-restart.ts'
import { scenario as slowNodes } from './slow-nodes.ts'

/** Every scenario, by name (one file each in this folder). */
export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map([
  crash, crash10, crashLossy, hostCrash, pause1, pause3, pause8, loss10, partition, asymmetric, flappingLink,
  lossyNodes, rollingRestart, churn, slowNodes, clockDrift, cloggedLink
].map((s) => [s.name, s]))
