import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parseTemplate, renderTemplate, RENDERED_CHARS_MAX } from '../../src/alerts/template.ts'

describe('annotation templates', () => {
  test('substitutes labels and values, leaves text alone', () => {
    const t = parseTemplate('Disk {{ $labels.mountpoint }} on {{$labels.node}}: {{ $value }} % (limit {{ $threshold }})')
    assert.equal(renderTemplate(t, { mountpoint: '/var', node: 'web-1' }, { value: 7.123456789, threshold: 10 }), 'Disk /var on web-1: 7.12346 % (limit 10)')
  })

  test('a missing label renders empty, like Go templates on a missing map key', () => {
    assert.equal(renderTemplate(parseTemplate('[{{ $labels.nope }}]'), {}, {}), '[]')
  })

  const BAD = ['{{ .Value }}', '{{ $labels }}', '{{ printf "%s" $value }}', '{{ $nope }}', 'open {{ $value', 'stray }}']
  for (const text of BAD) {
    test(`refuses ${text}`, () => {
      assert.throws(() => parseTemplate(text), RangeError)
    })
  }

  test('bounded: templates past 1 KiB refused, output cut at the rendered limit', () => {
    assert.throws(() => parseTemplate('x'.repeat(1025)), /longer than 1024/)
    const t = parseTemplate('{{ $labels.a }}{{ $labels.a }}{{ $labels.a }}{{ $labels.a }}{{ $labels.a }}')
    assert.equal(renderTemplate(t, { a: 'y'.repeat(1024) }, {}).length, RENDERED_CHARS_MAX)
  })
})
