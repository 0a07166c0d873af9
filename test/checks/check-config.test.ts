/**
 * The `checks:` config list: the issue's example validates as written (from a real YAML file
 * through loadConfig), defaults are filled in, and every broken rule names the check and the key.
 */
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { describeTarget, parseHostPort, resolveCheck } from '../../src/checks/check-config.ts'
import { CHECK_DEFAULTS, loadConfig } from '../../src/config/index.ts'
import { formatKeyPath } from '../../src/config/key-path.ts'
import { ConfigError } from '../../src/errors.ts'

const pathEnv = { env: {}, isRoot: false, home: '/home/u' }

function loadYaml(text: string): ReturnType<typeof loadConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'hm-checks-'))
  try {
    const file = join(dir, 'healthmon.yaml')
    writeFileSync(file, text)
    return loadConfig({ env: {}, pathEnv, configFile: file })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const ISSUE_EXAMPLE = `
checks:
  - id: disk-root
    exec: ["/usr/lib/nagios/plugins/check_disk", "-w", "10%", "-c", "5%", "-p", "/"]
    intervalMs: 30000
    timeoutMs: 10000
  - id: web
    http: "http://127.0.0.1:8080/healthz"
    intervalMs: 5000
  - id: batch-job
    ttlMs: 900000
`

describe('checks config', () => {
  test("the issue's example validates as written, with defaults filled in", () => {
    const config = loadYaml(ISSUE_EXAMPLE)
    const [disk, web, batch] = config.checks.map(resolveCheck)
    assert.deepEqual(disk, {
      id: 'disk-root', target: { kind: 'exec', argv: ['/usr/lib/nagios/plugins/check_disk', '-w', '10%', '-c', '5%', '-p', '/'] },
      intervalMs: 30_000, timeoutMs: 10_000, failuresBeforeCritical: 0, successesBeforePassing: 0, flapThresholdHighPercent: 20, flapThresholdLowPercent: 5
    })
    assert.deepEqual(web?.target, { kind: 'http', url: 'http://127.0.0.1:8080/healthz', expectBody: undefined })
    assert.equal(web?.intervalMs, 5000)
    assert.equal(web?.timeoutMs, CHECK_DEFAULTS.timeoutMs)
    assert.deepEqual(batch?.target, { kind: 'ttl', ttlMs: 900_000 })
    assert.ok(Object.isFrozen(config.checks[0]!.exec))
  })

  test('no checks by default', () => {
    assert.deepEqual(loadConfig({ env: {}, pathEnv }).checks, [])
  })

  test('tcp targets, IPv6 included, and the target line', () => {
    assert.deepEqual(parseHostPort('db.local:5432'), { host: 'db.local', port: 5432 })
    assert.deepEqual(parseHostPort('[::1]:80'), { host: '::1', port: 80 })
    for (const bad of ['db', 'db:0', 'db:65536', ':80', 'a b:1', '::1:80']) assert.equal(parseHostPort(bad), undefined, bad)
    assert.equal(describeTarget({ kind: 'tcp', host: '::1', port: 80 }), '[::1]:80')
    assert.equal(describeTarget({ kind: 'exec', argv: ['/bin/check', '-w', '1'] }), '/bin/check -w 1')
  })

  const bad: [string, string, string, RegExp][] = [
    ['no kind', '- id: a\n  intervalMs: 1000', 'checks[0]', /exactly one of exec, http, tcp, ttlMs \(has none\)/],
    ['two kinds', '- id: a\n  tcp: "h:1"\n- id: b\n  tcp: "h:1"\n  http: "http://h/"', 'checks[1]', /has http, tcp/],
    ['a duplicate id', '- id: a\n  tcp: "h:1"\n- id: a\n  ttlMs: 5000', 'checks[1].id', /already the id of checks\[0\]/],
    ['a bad id', '- id: "has space"\n  tcp: "h:1"', 'checks[0].id', /letters, digits/],
    ['a timeout out of range', '- id: a\n  tcp: "h:1"\n- id: b\n  tcp: "h:1"\n  timeoutMs: 9999999', 'checks[1].timeoutMs', /600000/],
    ['an interval on a ttl check', '- id: a\n  ttlMs: 5000\n  intervalMs: 1000', 'checks[0].intervalMs', /does not apply to a ttlMs check/],
    ['expectBody on a tcp check', '- id: a\n  tcp: "h:1"\n  expectBody: ok', 'checks[0].expectBody', /only to http/],
    ['a URL that is not http', '- id: a\n  http: "ftp://h/x"', 'checks[0].http', /http:\/\/ or https:\/\//],
    ['a bad tcp target', '- id: a\n  tcp: "h"', 'checks[0].tcp', /host:port/],
    ['an empty argv', '- id: a\n  exec: []', 'checks[0].exec', /.+/],
    ['an unknown key', '- id: a\n  tcp: "h:1"\n  intervalMS: 5', 'checks[0].intervalMS', /not a known option/],
    ['flap thresholds the wrong way round', '- id: a\n  tcp: "h:1"\n  flapThresholdHighPercent: 10\n  flapThresholdLowPercent: 10', 'checks[0].flapThresholdLowPercent', /below flapThresholdHighPercent/],
    ['negative damping', '- id: a\n  tcp: "h:1"\n  failuresBeforeCritical: -1', 'checks[0].failuresBeforeCritical', /.+/]
  ]
  for (const [what, list, key, rule] of bad) {
    test(`stops on ${what}, naming ${key}`, () => {
      assert.throws(() => loadYaml(`checks:\n${list.replace(/^/gm, '  ')}\n`), (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error))
        assert.equal(error.key, key)
        assert.match(error.rule, rule)
        assert.ok(error.message.startsWith(`invalid config: ${key}: `), error.message)
        return true
      })
    })
  }

  test('the message names the check by its id too', () => {
    assert.throws(() => loadYaml('checks:\n  - id: web\n    http: "http://h/"\n    timeoutMs: 5\n'), (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.match(error.message, /^invalid config: checks\[0\]\.timeoutMs: Too small: expected number to be >=100 \(check "web"\) \(from config file .*\.yaml\)$/)
      return true
    })
  })

  test('formatKeyPath', () => {
    assert.equal(formatKeyPath(['checks', 1, 'timeoutMs']), 'checks[1].timeoutMs')
    assert.equal(formatKeyPath(['listen', 0]), 'listen[0]')
    assert.equal(formatKeyPath([]), '(root)')
  })
})
