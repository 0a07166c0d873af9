/**
 * Starts the HTTP listener the way the loaded config asks (httpListen, httpTokenFile), with the
 * dashboard bundle of this package. Kept apart from the daemon so the daemon only says "start it
 * if configured" and the listener itself (http-listener.ts) takes plain values, as tests do.
 */
import { ConfigError } from '../errors.ts'
import type { Config } from '../config/schema.ts'
import { parseHttpListen } from '../config/http-listen.ts'
import { loadDashboardAssets } from '../dashboard/assets.ts'
import { BearerToken, readTokenFile } from './http-auth.ts'
import { startHttpListener, type HttpListener } from './http-listener.ts'
import type { ApiHandlerOptions } from './server.ts'

/** The listener, or undefined when httpListen is empty (off). */
export async function startConfiguredHttpListener(
  config: Pick<Config, 'httpListen' | 'httpTokenFile'>,
  handler: ApiHandlerOptions
): Promise<HttpListener | undefined> {
  if (config.httpListen === '') return undefined
  const address = parseHttpListen(config.httpListen)
  // loadConfig has checked it; this guards configs built by hand (the embedding API).
  if (typeof address === 'string') throw new ConfigError('httpListen', address)
  const token = config.httpTokenFile === '' ? undefined : new BearerToken(readTokenFile(config.httpTokenFile))
  return startHttpListener({ ...handler, host: address.host, port: address.port, token, dashboard: loadDashboardAssets() })
}
