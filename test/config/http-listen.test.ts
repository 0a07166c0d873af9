import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { loadConfig, type ConfigInput } from '../../src/config/index.ts'
import { isLoopbackHost, parseHttpListen } from '../../src/config/http-listen.ts'
import type { ConfigError } from '../../src/errors.ts'

const load = (flags: ConfigInput, env: NodeJS.ProcessEnv = {}) => loadConfig({ flags, env, pathEnv: { env: {}, isRoot: false, home: '/home/u' } })

describe('httpListen', () => {
  test('parses host:port, IPv6 in brackets', () => {
    assert.deepEqual(parseHttpListen('127.0.0.1:9746'), { host: '127.0.0.1', port: 9746 })
    assert.deepEqual(parseHttpListen('[::1]:0'), { host: '::1', port: 0 })
    assert.deepEqual(parseHttpListen('localhost:80'), { host: 'localhost', port: 80 })
    assert.match(parseHttpListen('9746') as string, /must be host:port/)
    assert.match(parseHttpListen('127.0.0.1:70000') as string, /port must be 0-65535/)
    assert.match(parseHttpListen('::1:9746') as string, /must be host:port/)
  })

  test('loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST']) assert.equal(isLoopbackHost(host), true, host)
    for (const host of ['0.0.0.0', '10.0.0.1', '::', 'example.com']) assert.equal(isLoopbackHost(host), false, host)
  })

  test('off by default; loopback needs nothing more', () => {
    assert.equal(load({}).httpListen, '')
    assert.equal(load({ httpListen: '127.0.0.1:9746' }).httpListen, '127.0.0.1:9746')
  })

  test('beyond loopback: refused without a token, naming key, rule and source; allowed with either guard', () => {
    assert.throws(() => load({ httpListen: '0.0.0.0:9746' }), (e: ConfigError) => e.code === 'HTTP_TOKEN_REQUIRED' && e.key === 'httpListen' && /httpTokenFile/.test(e.rule))
    assert.throws(() => load({}, { HEALTHMON_HTTP_LISTEN: '192.0.2.1:9746' }), (e: ConfigError) => /from HEALTHMON_HTTP_LISTEN/.test(e.message))
    assert.doesNotThrow(() => load({ httpListen: '0.0.0.0:9746', httpTokenFile: '/etc/healthmon/token' }))
    assert.doesNotThrow(() => load({ httpListen: '0.0.0.0:9746', httpAllowUnauthenticated: true }))
  })

  test('a malformed value is CONFIG_INVALID on httpListen', () => {
    assert.throws(() => load({ httpListen: 'nope' }), (e: ConfigError) => e.code === 'CONFIG_INVALID' && e.key === 'httpListen')
  })
})
