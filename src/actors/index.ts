/**
 * actors: a tiny actor runtime (DESIGN.md §2 "Actors"). Each long-lived part of the agent owns its
 * state, takes typed messages from a bounded mailbox one at a time, and talks to others only by
 * sending messages, so no state is shared and no locks are needed. A Supervisor names its actors,
 * restarts one that throws with a fresh behaviour, and stops one that keeps failing.
 *
 * Depends on runtime/ only (the Clock measuring restart windows).
 */
export { Mailbox } from './mailbox.ts'
export type { ActorContext, ActorRef, ActorStats, Behaviour } from './actor.ts'
export { Supervisor, type SupervisorOptions, type SupervisorStats } from './supervisor.ts'
