import type { AttemptResult } from './delivery-queue.ts'

/**
 * One JSON POST, classified for the delivery queue: 2xx delivered; 429, 5xx and network errors
 * retried; any other status rejected (the receiver will not accept it however often we try).
 * The response body is read and discarded (bounded by the receiver, not kept).
 */
export async function postJson(url: string, body: unknown, signal: AbortSignal, headers: Record<string, string> = {}): Promise<AttemptResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'healthmon', ...headers },
    body: JSON.stringify(body),
    signal
  })
  await response.body?.cancel()
  if (response.status >= 200 && response.status < 300) return 'delivered'
  if (response.status === 429 || response.status >= 500) return 'retry'
  return 'rejected'
}
