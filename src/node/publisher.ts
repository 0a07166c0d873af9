import { encodeMessage, type WireMessage } from '../transport/codec.ts'
import type { Transport } from '../transport/types.ts'
import type { Logger } from '../runtime/logger.ts'

/**
 * Publishing is fire and forget: a failure is counted and logged at debug, never thrown, since
 * gossip and anti-entropy repair what one lost message leaves out.
 */
export class Publisher {
  private readonly transport: Transport
  private readonly logger: Logger
  private readonly stats: { publishErrors: number }

  constructor(transport: Transport, logger: Logger, stats: { publishErrors: number }) {
    this.transport = transport
    this.logger = logger
    this.stats = stats
  }

  async publish(topic: string, message: WireMessage): Promise<void> {
    try {
      await this.transport.publish(topic, encodeMessage(message))
    } catch (err) {
      this.failed(err, topic)
    }
  }

  /** Publishes an already encoded message (the alerting gossip encodes to check the size bound). */
  async publishBytes(topic: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.transport.publish(topic, bytes)
    } catch (err) {
      this.failed(err, topic)
    }
  }

  private failed(err: unknown, topic: string): void {
    this.stats.publishErrors++
    this.logger.debug({ err, topic }, 'publish failed')
  }
}
