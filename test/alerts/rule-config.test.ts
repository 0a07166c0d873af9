import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { BUILTIN_RULES, effectiveRules } from '../../src/alerts/builtin-rules.ts'
import { parseAlertRules } from '../../src/alerts/rule-config.ts'
import { ConfigError } from '../../src/errors.ts'

function configError(raw: unknown): ConfigError {
  try {
    effectiveRules(parseAlertRules(raw))
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`)
    return error
  }
  assert.fail('expected the rules to be refused')
}

describe('alertRules config', () => {
  test('the built-in rules compile, with the names the issue lists', () => {
    const rules = effectiveRules([])
    assert.deepEqual(rules.map((r) => r.name), BUILTIN_RULES.map((r) => r.name))
    for (const name of ['DiskSpaceLow', 'DiskWillFillSoon', 'MemoryHigh', 'LoadHigh', 'PeerSuspect', 'PeerDead', 'PeerMissing', 'EventLoopLagging', 'NodeIsolated', 'CheckWarning', 'CheckCritical']) {
      assert.ok(rules.some((r) => r.name === name), name)
    }
    const disk = rules.find((r) => r.name === 'DiskSpaceLow')!
    assert.equal(disk.forMs, 30 * 60_000)
    assert.deepEqual([disk.warning?.start, disk.critical?.start], [10, 5])
  })

  test('an operator overrides a built-in by name, disables one, and adds their own', () => {
    const rules = effectiveRules(parseAlertRules([
      { name: 'MemoryHigh', metric: 'node_memory_MemAvailable_bytes', divideBy: 'node_memory_MemTotal_bytes', scale: 100, warning: '20:', forMs: 60_000 },
      { name: 'PeerSuspect', disabled: true },
      { name: 'QueueDeep', metric: 'app_queue_depth', matchers: ['queue=~"jobs|mail"'], warning: '~:100', critical: '~:1000', labels: { team: 'app' }, annotations: { summary: 'queue {{ $labels.queue }} is {{ $value }} deep' } }
    ]))
    assert.equal(rules.filter((r) => r.name === 'MemoryHigh').length, 1)
    assert.equal(rules.find((r) => r.name === 'MemoryHigh')!.warning?.start, 20)
    assert.equal(rules.some((r) => r.name === 'PeerSuspect'), false)
    const queue = rules.find((r) => r.name === 'QueueDeep')!
    assert.equal(queue.selector.kind, 'metric')
    assert.deepEqual(queue.labels, { team: 'app' })
  })

  const BAD: [string, unknown, string, RegExp][] = [
    ['bad range', [{ name: 'A', metric: 'm', warning: '20:10' }], 'alertRules[0] (A).warning', /greater than end/],
    ['no selector', [{ name: 'B', warning: '10' }], 'alertRules[0] (B)', /exactly one selector/],
    ['two selectors', [{ name: 'C', metric: 'm', peerState: 'dead', warning: '1' }], 'alertRules[0] (C)', /exactly one selector/],
    ['unknown key', [{ name: 'D', metric: 'm', warning: '1', fro: 1 }], 'alertRules[0] (D)', /Unrecognized key/i],
    ['bad matcher', [{ name: 'E', metric: 'm', warning: '1', matchers: ['x=~"(a+)+"'] }], 'alertRules[0] (E).matchers[0]', /nested quantifiers/],
    ['bad template', [{ name: 'F', metric: 'm', warning: '1', annotations: { summary: '{{ .Value }}' } }], 'alertRules[0] (F).annotations.summary', /not \$labels/],
    ['check without statuses', [{ name: 'G', check: '*' }], 'alertRules[0] (G).statuses', /required/],
    ['thresholds on a peer rule', [{ name: 'H', peerState: 'dead', warning: '1' }], 'alertRules[0] (H).warning', /not on thresholds/],
    ['metric rule without threshold', [{ name: 'I', metric: 'm' }], 'alertRules[0] (I).warning', /needs a warning or critical/],
    ['adaptive with ranges', [{ name: 'J', metric: 'm', adaptive: true, warning: '1' }], 'alertRules[0] (J).adaptive', /band/],
    ['duplicate names', [{ name: 'K', metric: 'm', warning: '1' }, { name: 'K', metric: 'n', warning: '1' }], 'alertRules[1] (K).name', /unique/],
    ['negative duration', [{ name: 'L', metric: 'm', warning: '1', forMs: -5 }], 'alertRules[0] (L).forMs', />=\s*0|too small/i],
    ['reserved label', [{ name: 'M', metric: 'm', warning: '1', labels: { severity: 'x' } }], 'alertRules[0] (M).labels.severity', /set by the rule/],
    ['bad name', [{ name: '1x', metric: 'm', warning: '1' }], 'alertRules[0] (1x).name', /letters/],
    ['second entry bad', [{ name: 'N', metric: 'm', warning: '1' }, { name: 'O', node: 'nope' }], 'alertRules[1] (O).node', /Invalid option|expected one of/i]
  ]
  for (const [what, raw, key, message] of BAD) {
    test(`${what}: the error names ${key}`, () => {
      const error = configError(raw)
      assert.equal(error.key, key)
      assert.match(error.rule, message)
      assert.equal(error.code, 'CONFIG_INVALID')
    })
  }
})
