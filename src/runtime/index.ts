/**
 * runtime: the only place that touches real time, real randomness and the log sink. Every other
 * module receives a Clock, a Random and a Logger from the composition root (src/daemon.ts).
 */
export { systemClock, sleep, type Clock, type Timer } from './clock.ts'
export { VirtualClock } from './virtual-clock.ts'
export { seededRandom, systemRandom, type Random } from './random.ts'
export { createLogger, silentLogger, type Logger, type LogLevel } from './logger.ts'
