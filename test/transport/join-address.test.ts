import { test, describe } from 'node:test'
import assert from 'node:assert/strict'
import { parseJoinAddress, type JoinAddress } from '../../src/transport/join-address.ts'
import { HealthmonError } from '../../src/errors.ts'

const ID = '12D3KooWHBtvDbHs55RiBybkwsUgbAVJQiPctEq8a4Z6whuyiGcG'

const VALID: Array<[string, JoinAddress]> = [
  ['/ip4/10.0.0.1/tcp/7946', { multiaddr: '/ip4/10.0.0.1/tcp/7946' }],
  [`/ip4/10.0.0.1/tcp/7946/p2p/${ID}`, { multiaddr: `/ip4/10.0.0.1/tcp/7946/p2p/${ID}`, peerId: ID }],
  ['/ip6/fd00::1/tcp/1', { multiaddr: '/ip6/fd00::1/tcp/1' }],
  ['/ip6/::1/tcp/65535', { multiaddr: '/ip6/::1/tcp/65535' }],
  ['/dns4/node1.example/tcp/7946', { multiaddr: '/dns4/node1.example/tcp/7946' }],
  ['/dns6/node1.example/tcp/7946', { multiaddr: '/dns6/node1.example/tcp/7946' }],
  [`/dns/node-1.example.com/tcp/7946/p2p/${ID}`, { multiaddr: `/dns/node-1.example.com/tcp/7946/p2p/${ID}`, peerId: ID }],
  ['/ip4/10.0.0.1/tcp/7946/', { multiaddr: '/ip4/10.0.0.1/tcp/7946' }],
  ['  /ip4/10.0.0.1/tcp/7946\n', { multiaddr: '/ip4/10.0.0.1/tcp/7946' }],
  ['10.0.0.1:7946', { multiaddr: '/ip4/10.0.0.1/tcp/7946' }],
  [' 127.0.0.1:1 ', { multiaddr: '/ip4/127.0.0.1/tcp/1' }],
  ['[fd00::1]:7946', { multiaddr: '/ip6/fd00::1/tcp/7946' }],
  ['[::1]:65535', { multiaddr: '/ip6/::1/tcp/65535' }],
  ['node1.example:7946', { multiaddr: '/dns/node1.example/tcp/7946' }],
  ['localhost:7946', { multiaddr: '/dns/localhost/tcp/7946' }],
  ['db-3:80', { multiaddr: '/dns/db-3/tcp/80' }]
]

const INVALID: string[] = [
  '',
  '   ',
  'node1.example',
  'node1.example:',
  'node1.example:0',
  'node1.example:65536',
  'node1.example:080',
  'node1.example:http',
  '10.0.0.1:-1',
  '10.0.0.256:7946',
  '10.0.0:7946',
  '::1:7946',
  'fd00::1:7946',
  '[10.0.0.1]:7946',
  '[fd00::1]',
  '[fd00::1]:',
  '[fd00::zz]:7946',
  '-bad.example:7946',
  'bad_name.example:7946',
  'a..b:7946',
  'http://node1.example:7946',
  '/ip4/10.0.0.1',
  '/ip4/10.0.0.1/tcp/0',
  '/ip4/10.0.0.1/tcp/65536',
  '/ip4/10.0.0.1/udp/7946',
  '/ip4/10.0.0.1/tcp/7946/ws',
  '/ip4/10.0.0.1/tcp/7946/p2p/not-a-peer-id',
  `/ip4/10.0.0.1/tcp/7946/p2p/${ID}/p2p/${ID}`,
  '/ip4/999.0.0.1/tcp/7946',
  '/dns4/a..b/tcp/7946',
  '/memory/node-1',
  '/tcp/7946',
  `/p2p/${ID}`,
  '/unix/tmp/socket'
]

describe('parseJoinAddress', () => {
  for (const [input, expected] of VALID) {
    test(`accepts ${JSON.stringify(input)}`, () => {
      assert.deepEqual(parseJoinAddress(input), expected)
    })
  }

  for (const input of INVALID) {
    test(`rejects ${JSON.stringify(input)}`, () => {
      assert.throws(() => parseJoinAddress(input), (err: unknown) => {
        assert.ok(err instanceof HealthmonError)
        assert.equal(err.code, 'JOIN_ADDRESS_INVALID')
        assert.ok(err.message.includes(`"${input.trim()}"`) || err.message.includes(`"${input}"`), err.message)
        assert.match(err.message, /host:port/)
        return true
      })
    })
  }
})
