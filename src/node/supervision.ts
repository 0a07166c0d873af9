import { Supervisor } from '../actors/supervisor.ts'
import type { Scheduler } from '../actors/actor.ts'
import type { Clock } from '../runtime/clock.ts'
import type { Logger } from '../runtime/logger.ts'
import type { NodeOptions } from './options.ts'

/**
 * The supervisor of the node's peer actors, with its restart budget and cooldowns from the
 * options; failures and revivals are logged, since a stopped actor leaves a peer unobserved.
 */
export function nodeSupervisor(o: NodeOptions, clock: Clock, logger: Logger, schedule: Scheduler | undefined): Supervisor {
  return new Supervisor({
    mailboxLengthMax: o.mailboxLengthMax,
    restartsMax: o.actorRestartsMax,
    restartWindowMs: o.actorRestartWindowMs,
    clock,
    schedule,
    onFailure: (name, error, action) => logger.error({ actor: name, err: error, action }, action === 'stopped' ? 'actor failed past its restart budget; stopped until its cooldown ends' : 'actor failed'),
    reviveAfterMsMin: o.actorReviveAfterMsMin,
    reviveAfterMsMax: o.actorReviveAfterMsMax,
    onRevive: (name, outcome, cooldownMs, error) => {
      if (outcome === 'revived') logger.warn({ actor: name, cooldownMs }, 'stopped actor restarted after its cooldown')
      else logger.error({ actor: name, cooldownMs, err: error }, 'stopped actor could not be restarted; trying again later')
    }
  })
}
