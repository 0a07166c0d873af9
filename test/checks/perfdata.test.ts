/**
 * The plugin output and perfdata parsers on tables: the guidelines' own cases, the outputs of
 * Debian's check_disk, check_load, check_procs, check_tcp and check_http (monitoring-plugins-basic
 * 2.3.3, captured on this machine), and malformed items that must be dropped and counted.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { parsePerfdata, perfSamples, PERF_ITEMS_MAX, type PerfItem } from '../../src/checks/perfdata.ts'
import { parsePluginOutput } from '../../src/checks/plugin-output.ts'

const brief = (items: readonly PerfItem[]) => items.map((p) => [p.label, p.value, p.unit])

describe('real Monitoring Plugins outputs', () => {
  const cases: { name: string; output: string; summary: string; perf: [string, number, string][] }[] = [
    {
      name: 'check_disk',
      output: 'DISK OK - free space: / 79876MiB (76% inode=96%);| /=25187844096B;243497277849;257024904396;0;270552530944\n',
      summary: 'DISK OK - free space: / 79876MiB (76% inode=96%);',
      perf: [['/', 25187844096, 'bytes']]
    },
    {
      name: 'check_disk with two mounts',
      output: 'DISK OK - free space: / 79876MiB (76% inode=96%); /dev/shm 24105MiB (100% inode=99%);| /=25187844096B;243497277849;257024904396;0;270552530944 /dev/shm=0B;22748332032;24012128256;0;25275924480\n',
      summary: 'DISK OK - free space: / 79876MiB (76% inode=96%); /dev/shm 24105MiB (100% inode=99%);',
      perf: [['/', 25187844096, 'bytes'], ['/dev/shm', 0, 'bytes']]
    },
    {
      name: 'check_load',
      output: 'LOAD OK - total load average: 2.94, 1.79, 0.74|load1=2.940;5.000;10.000;0; load5=1.790;4.000;8.000;0; load15=0.740;3.000;6.000;0; \n',
      summary: 'LOAD OK - total load average: 2.94, 1.79, 0.74',
      perf: [['load1', 2.94, 'none'], ['load5', 1.79, 'none'], ['load15', 0.74, 'none']]
    },
    {
      name: 'check_procs',
      output: 'PROCS OK: 77 processes | procs=77;500;1000;0;\n',
      summary: 'PROCS OK: 77 processes',
      perf: [['procs', 77, 'none']]
    },
    {
      name: 'check_procs with a range threshold',
      output: "PROCS WARNING: 0 processes with command name 'init' | procs=0;1:1;;0;\n",
      summary: "PROCS WARNING: 0 processes with command name 'init'",
      perf: [['procs', 0, 'none']]
    },
    {
      name: 'check_tcp',
      output: 'TCP OK - 0.001 second response time on 127.0.0.1 port 18089|time=0.000864s;;;0.000000;10.000000\n',
      summary: 'TCP OK - 0.001 second response time on 127.0.0.1 port 18089',
      perf: [['time', 0.000864, 'seconds']]
    },
    {
      name: 'check_http',
      output: 'HTTP OK: HTTP/1.0 200 OK - 2148 bytes in 0.004 second response time |time=0.003516s;;;0.000000;10.000000 size=2148B;;;0;\n',
      summary: 'HTTP OK: HTTP/1.0 200 OK - 2148 bytes in 0.004 second response time',
      perf: [['time', 0.003516, 'seconds'], ['size', 2148, 'bytes']]
    },
    {
      name: 'check_tcp refused (no perfdata)',
      output: 'connect to address 127.0.0.1 and port 1: Connection refused\n',
      summary: 'connect to address 127.0.0.1 and port 1: Connection refused',
      perf: []
    }
  ]
  for (const c of cases) {
    test(c.name, () => {
      const parsed = parsePluginOutput(c.output)
      assert.equal(parsed.summary, c.summary)
      assert.deepEqual(brief(parsed.perfdata), c.perf)
      assert.equal(Object.values(parsed.rejected).reduce((a, b) => a + b, 0), 0)
    })
  }

  test('thresholds and bounds are kept, bounds normalised like the value', () => {
    const [time] = parsePluginOutput('TCP OK|time=864us;1000;2000;0;10000').perfdata
    assert.deepEqual(time, { label: 'time', value: 0.000864, unit: 'seconds', uom: 'us', warn: '1000', crit: '2000', min: 0, max: 0.01 })
  })
})

describe('the guidelines: multi-line output and perfdata after later "|"', () => {
  test('long text ends at the first later line holding "|"; every line after it is perfdata', () => {
    const text = [
      'DISK OK - free space: / 3326 MB (56%); | /=2643MB;5948;5958;0;5968',
      '/ 15272 MB (77%);',
      '/boot 68 MB (69%);',
      '/home 69357 MB (27%);',
      '/var/log 819 MB (84%); | /boot=68MB;88;93;0;98',
      '/home=69357MB;253404;253409;0;253414',
      "/var/log=818MB;970;975;0;980 'with space'=1"
    ].join('\n')
    const parsed = parsePluginOutput(text)
    assert.equal(parsed.summary, 'DISK OK - free space: / 3326 MB (56%);')
    assert.equal(parsed.longOutput, '/ 15272 MB (77%);\n/boot 68 MB (69%);\n/home 69357 MB (27%);\n/var/log 819 MB (84%);')
    assert.deepEqual(brief(parsed.perfdata), [
      ['/', 2643e6, 'bytes'], ['/boot', 68e6, 'bytes'], ['/home', 69357e6, 'bytes'], ['/var/log', 818e6, 'bytes'], ['with space', 1, 'none']
    ])
  })

  test('output without perfdata, and an empty output', () => {
    assert.deepEqual(parsePluginOutput('OK - fine\nmore\n'), { summary: 'OK - fine', longOutput: 'more', perfdata: [], rejected: parsePerfdata('').rejected })
    assert.equal(parsePluginOutput('').summary, '')
  })
})

describe('perfdata items', () => {
  const units: [string, number, string][] = [
    ['a=1', 1, 'none'], ['a=1.5s', 1.5, 'seconds'], ['a=250ms', 0.25, 'seconds'], ['a=20us', 0.00002, 'seconds'],
    ['a=99.5%', 99.5, 'percent'], ['a=10B', 10, 'bytes'], ['a=2KB', 2000, 'bytes'], ['a=2kB', 2000, 'bytes'],
    ['a=3MB', 3e6, 'bytes'], ['a=4GB', 4e9, 'bytes'], ['a=5TB', 5e12, 'bytes'], ['a=1KiB', 1024, 'bytes'],
    ['a=1MiB', 1048576, 'bytes'], ['a=1GiB', 1024 ** 3, 'bytes'], ['a=12345c', 12345, 'counter'], ['a=-3.5', -3.5, 'none'],
    ['a=.5', 0.5, 'none'], ['a=1e-3s', 0.001, 'seconds']
  ]
  for (const [text, value, unit] of units) {
    test(`${text} is ${value} ${unit}`, () => {
      const { perfdata } = parsePerfdata(text)
      assert.equal(perfdata.length, 1)
      assert.ok(Math.abs(perfdata[0]!.value - value) <= Math.abs(value) * 1e-12, `${perfdata[0]!.value} != ${value}`)
      assert.equal(perfdata[0]!.unit, unit)
    })
  }

  test("quoted labels: spaces, '=' and '' escapes", () => {
    const { perfdata } = parsePerfdata("'it''s a label'=1 'a=b'=2 '''x'''=3")
    assert.deepEqual(perfdata.map((p) => p.label), ["it's a label", 'a=b', "'x'"])
  })

  const malformed: [string, string][] = [
    ['a=abc', 'value'], ['a=U', 'value'], ['a=1,5', 'value'], ['a=5xyz', 'unit'], ['a=5MiBs', 'unit'],
    ['=7', 'label'], ['noequals', 'syntax'], ["'unterminated=1", 'syntax'], ["'q'x=1", 'syntax'],
    ['a=1;2;3;4;5;6', 'syntax'], ['a=1;x;;;', 'threshold'], ['a=1;;;zero;', 'threshold'], [`${'l'.repeat(129)}=1`, 'label']
  ]
  for (const [text, reason] of malformed) {
    test(`${JSON.stringify(text.slice(0, 30))} is dropped as ${reason}, the good items around it kept`, () => {
      const { perfdata, rejected } = parsePerfdata(`good1=1 ${text} good2=2`)
      if (reason === 'syntax' && text.startsWith("'unterminated")) {
        // An unterminated quote takes the rest of the line with it.
        assert.deepEqual(perfdata.map((p) => p.label), ['good1'])
      } else {
        assert.deepEqual(perfdata.map((p) => p.label), ['good1', 'good2'])
      }
      assert.equal(rejected[reason as keyof typeof rejected], 1)
      assert.equal(Object.values(rejected).reduce((a, b) => a + b, 0), 1)
    })
  }

  test('ranges in the guidelines syntax are accepted', () => {
    const { perfdata, rejected } = parsePerfdata('a=1;10;20 b=1;10:;~:10 c=1;@10:20;10:20 d=1;-5:5;')
    assert.equal(perfdata.length, 4)
    assert.equal(Object.values(rejected).reduce((x, y) => x + y, 0), 0)
    assert.equal(perfdata[2]!.warn, '@10:20')
  })

  test(`at most ${PERF_ITEMS_MAX} items are kept; the rest are counted as too-many`, () => {
    const text = Array.from({ length: PERF_ITEMS_MAX + 5 }, (_, i) => `m${i}=${i}`).join(' ')
    const { perfdata, rejected } = parsePerfdata(text)
    assert.equal(perfdata.length, PERF_ITEMS_MAX)
    assert.equal(rejected['too-many'], 5)
  })

  test('perfSamples names samples by unit and labels them with the check and the plugin label', () => {
    const { perfdata } = parsePerfdata("time=5ms size=2KB load1=0.5 'errors'=7c pct=50%")
    assert.deepEqual(perfSamples('web', perfdata, 1000), [
      { name: 'healthmon_check_perfdata_seconds', labels: { check: 'web', label: 'time' }, value: 0.005, unit: 'seconds', atMs: 1000 },
      { name: 'healthmon_check_perfdata_bytes', labels: { check: 'web', label: 'size' }, value: 2000, unit: 'bytes', atMs: 1000 },
      { name: 'healthmon_check_perfdata', labels: { check: 'web', label: 'load1' }, value: 0.5, unit: 'none', atMs: 1000 },
      { name: 'healthmon_check_perfdata_total', labels: { check: 'web', label: 'errors' }, value: 7, unit: 'counter', atMs: 1000 },
      { name: 'healthmon_check_perfdata_percent', labels: { check: 'web', label: 'pct' }, value: 50, unit: 'percent', atMs: 1000 }
    ])
  })
})
