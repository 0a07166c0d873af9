import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { alertsOn, parseRange } from '../../src/alerts/nagios-range.ts'

// The Monitoring Plugins guidelines' own table (#THRESHOLDFORMAT), plus the endpoints.
const TABLE: [range: string, alerting: number[], quiet: number[]][] = [
  ['10', [-1, -0.001, 10.001, 11, 1e9], [0, 5, 10]],
  ['10:', [9.999, 0, -5], [10, 11, 1e12]],
  ['~:10', [10.001, 11], [10, 0, -1e12]],
  ['10:20', [9, 21, -1], [10, 15, 20]],
  ['@10:20', [10, 15, 20], [9.999, 20.001, 0]],
  ['@~:0', [0, -3], [0.5]],
  ['50', [51, -1], [0, 50]],
  ['-5:-1', [0, -6], [-5, -3, -1]],
  ['0.5:1.5e1', [0.4, 15.1], [0.5, 15]],
  ['@5', [0, 5, 3], [5.1, -0.1]]
]

describe('Nagios ranges', () => {
  for (const [text, alerting, quiet] of TABLE) {
    test(`${text} alerts on ${alerting.join(', ')} and not on ${quiet.join(', ')}`, () => {
      const range = parseRange(text)
      for (const v of alerting) assert.equal(alertsOn(range, v), true, `${text} should alert on ${v}`)
      for (const v of quiet) assert.equal(alertsOn(range, v), false, `${text} should not alert on ${v}`)
    })
  }

  test('parses start, end and inversion', () => {
    assert.deepEqual(parseRange('~:90'), { start: -Infinity, end: 90, inside: false, text: '~:90' })
    assert.deepEqual(parseRange('10:'), { start: 10, end: Infinity, inside: false, text: '10:' })
    assert.deepEqual(parseRange('@10:20'), { start: 10, end: 20, inside: true, text: '@10:20' })
    assert.deepEqual(parseRange(' 50 '), { start: 0, end: 50, inside: false, text: '50' })
  })

  test('NaN always alerts: no valid reading is not a healthy one', () => {
    assert.equal(alertsOn(parseRange('10:20'), NaN), true)
    assert.equal(alertsOn(parseRange('@10:20'), NaN), true)
  })

  const BAD: [string, RegExp][] = [
    ['', /empty/],
    ['20:10', /start 20 is greater than end 10/],
    ['abc', /end "abc" is not a number/],
    ['1:2:3', /more than one ":"/],
    ['@', /end "" is not a number/],
    ['~', /end "~" is not a number/],
    ['x:5', /start "x" is not a number/],
    ['5:y', /end "y" is not a number/],
    ['1'.repeat(65), /longer than 64/],
    ['0x10', /not a number/]
  ]
  for (const [text, message] of BAD) {
    test(`refuses ${JSON.stringify(text.slice(0, 12))} with a clear error`, () => {
      assert.throws(() => parseRange(text), message)
    })
  }
})
