import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { stripVTControlCharacters } from 'node:util'
import { renderStatus, sortPeers } from '../../src/cli/commands/status.ts'
import { colorEnabled, formatDuration, formatLastHeard, formatPhi, renderTable, sanitize, shortId } from '../../src/cli/format.ts'
import { VIEW } from '../api/fixtures.ts'

describe('format', () => {
  test('durations', () => {
    const table: [number, string][] = [
      [0, '0ms'], [850, '850ms'], [999.6, '1000ms'], [1000, '1.0s'], [3250, '3.2s'], [59_999, '59.9s'],
      [60_000, '1m'], [5 * 60_000 + 59_000, '5m'], [3_600_000, '1h0m'], [7_980_000, '2h13m'], [26 * 3_600_000, '1d2h'], [-1, '-']
    ]
    for (const [ms, text] of table) assert.equal(formatDuration(ms), text, String(ms))
    assert.equal(formatLastHeard(null), 'never')
  })

  test('phi, ids, sanitizing', () => {
    assert.equal(formatPhi(null), '-')
    assert.equal(formatPhi(8.149), '8.1')
    assert.equal(formatPhi(0), '0.0')
    assert.equal(formatPhi(99), '99.0')
    assert.equal(formatPhi(1_000_000), '>99', 'a silent peer reads as ">99", not 1000000.0')
    assert.equal(formatPhi(Infinity), '∞')
    assert.equal(shortId('12D3KooWAbcdefghijklmnopwxyz'), '12D3…wxyz')
    assert.equal(shortId('short-id'), 'short-id')
    assert.equal(sanitize('evil\x1b[31mname\u202e\x07'), 'evil?[31mname??')
  })

  test('colour only on a TTY without NO_COLOR', () => {
    assert.equal(colorEnabled({ isTTY: true }, {}), true)
    assert.equal(colorEnabled({ isTTY: false }, {}), false)
    assert.equal(colorEnabled({}, {}), false)
    assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: '1' }), false)
    assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: '' }), true)
  })

  test('tables align on the uncoloured text and carry no trailing spaces', () => {
    const text = renderTable([{ a: 'x', b: 'long value' }, { a: 'longer', b: 'y' }], [
      { header: 'A', value: (r) => r.a },
      { header: 'B', value: (r) => r.b, style: () => 'red' }
    ], true)
    const plain = stripVTControlCharacters(text)
    assert.equal(plain, 'A       B\nx       long value\nlonger  y\n')
    assert.ok(text.includes('\x1b[31m'))
  })

  test('status: peers by severity then name; colours mark states on a TTY', () => {
    assert.deepEqual(sortPeers(VIEW.peers).map((p) => p.state), ['dead', 'missing', 'suspect', 'alive', 'left'])
    const coloured = renderStatus(VIEW, true)
    assert.ok(coloured.includes('\x1b[31mdead'))
    assert.ok(coloured.includes('\x1b[33msuspect'))
    assert.ok(coloured.includes('\x1b[32malive'))
    assert.ok(coloured.includes('\x1b[2mleft'))
    assert.ok(!renderStatus(VIEW, false).includes('\x1b'))
    assert.match(renderStatus({ ...VIEW, peers: [] }, false), /no peers known yet/)
  })
})

test('alerts output cut by --limit ends with its note and a newline', async () => {
  const { renderAlerts } = await import('../../src/cli/commands/alerts.ts')
  const { ALERTS } = await import('../api/fixtures.ts')
  const text = renderAlerts({ alerts: [ALERTS[1]!], matched: 3 }, false)
  assert.ok(text.endsWith('(1 of 3 matching; see --limit)\n'), JSON.stringify(text))
  assert.ok(renderAlerts({ alerts: [ALERTS[1]!], matched: 1 }, false).endsWith('node-d is dead\n'))
})
