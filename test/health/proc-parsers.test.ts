/**
 * The /proc parsers against real kernel text (fixtures/ was copied from this machine's /proc)
 * and against the odd shapes other kernels produce; none may throw.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import {
  cpuBusyPercent, cpuPercentByMode, mountPointOf, parseFileNr, parseLoadavg, parseMeminfo, parseMountPoints, parsePressure, parseProcStat
} from '../../src/health/proc-parsers.ts'

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8')

describe('proc parsers on real /proc text', () => {
  test('/proc/stat: cpu seconds by mode (USER_HZ 100) and the CPUs online', () => {
    const s = parseProcStat(fixture('proc-stat.txt'))!
    assert.deepEqual(s.cpu, { user: 182.94, nice: 0, system: 92.84, idle: 634.21, iowait: 2.9, irq: 0, softirq: 1.5, steal: 7.58 })
    assert.equal(s.cpus, 2)
  })

  test('/proc/meminfo: kB are KiB; MemAvailable used; no swap reads as 0', () => {
    const m = parseMeminfo(fixture('meminfo.txt'))!
    assert.equal(m.totalBytes, 24683584 * 1024)
    assert.equal(m.availableBytes, 24116608 * 1024)
    assert.equal(m.swapTotalBytes, 0)
  })

  test('/proc/loadavg and /proc/sys/fs/file-nr', () => {
    assert.deepEqual(parseLoadavg(fixture('loadavg.txt')), { load1: 1.64, load5: 1.6, load15: 0.75 })
    assert.deepEqual(parseFileNr(fixture('file-nr.txt')), { allocated: 458, maximum: 2466116 })
  })

  test('/proc/pressure/*: some and full lines, totals from microseconds to seconds', () => {
    const io = parsePressure(fixture('pressure-io.txt'))!
    assert.deepEqual(io.some, { avg10: 0.53, avg60: 0.78, avg300: 0.61, totalSeconds: 3.71366 })
    assert.equal(io.full?.totalSeconds, 2.176549)
    assert.equal(parsePressure(fixture('pressure-cpu.txt'))!.some.totalSeconds, 81.900971)
  })

  test('/proc/self/mountinfo: mount points, octal escapes decoded; a path maps to its longest mount prefix', () => {
    const mounts = parseMountPoints(fixture('mountinfo.txt'))
    assert.ok(mounts.includes('/') && mounts.includes('/dev/shm') && mounts.includes('/mnt/backup disk'))
    assert.equal(mountPointOf('/var/lib/healthmon/default', mounts), '/')
    assert.equal(mountPointOf('/dev/shm/x', mounts), '/dev/shm')
    assert.equal(mountPointOf('/dev/shmx', mounts), '/dev', 'a prefix only counts at a path boundary')
    assert.equal(mountPointOf('/mnt/backup disk/db', mounts), '/mnt/backup disk')
  })
})

describe('proc parsers on odd input', () => {
  const cases: [string, () => unknown][] = [
    ['empty /proc/stat', () => parseProcStat('')],
    ['a cpu line with garbage', () => parseProcStat('cpu  a b c d\n')],
    ['negative ticks', () => parseProcStat('cpu  -1 0 0 0\n')],
    ['empty loadavg', () => parseLoadavg('')],
    ['loadavg with words', () => parseLoadavg('high higher highest')],
    ['meminfo without MemTotal', () => parseMeminfo('MemFree: 10 kB\n')],
    ['pressure without a some line', () => parsePressure('full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n')],
    ['file-nr with words', () => parseFileNr('x y z')]
  ]
  for (const [what, parse] of cases) test(`${what} reads as undefined`, () => assert.equal(parse(), undefined))

  test('an old kernel without MemAvailable: MemFree + Buffers + Cached, as free(1) did', () => {
    const m = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 150 kB\n')!
    assert.equal(m.availableBytes, 300 * 1024)
  })

  test('a cpu line with only the four oldest fields (Linux 2.4)', () => {
    assert.deepEqual(parseProcStat('cpu  100 0 100 800\ncpu0 100 0 100 800\n')!.cpu, { user: 1, nice: 0, system: 1, idle: 8, iowait: 0, irq: 0, softirq: 0, steal: 0 })
  })

  test('pressure/cpu before Linux 5.13 has no full line', () => {
    assert.equal(parsePressure('some avg10=1.00 avg60=2.00 avg300=3.00 total=5000000\n')!.full, undefined)
  })
})

describe('cpu utilisation from two readings', () => {
  const zero = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0 }
  const table: [string, Partial<typeof zero>, number | undefined][] = [
    ['all idle', { idle: 10 }, 0],
    ['half user, half idle', { user: 5, idle: 5 }, 50],
    ['iowait counts as not busy', { system: 2, iowait: 8 }, 20],
    ['steal is busy (the hypervisor took it)', { steal: 1, idle: 3 }, 25],
    ['no time passed', {}, undefined]
  ]
  for (const [what, delta, busy] of table) {
    test(what, () => {
      const byMode = cpuPercentByMode(zero, { ...zero, ...delta })
      assert.equal(byMode === undefined ? undefined : cpuBusyPercent(byMode), busy)
    })
  }
  test('a counter going backwards (reset) gives no reading', () => {
    assert.equal(cpuPercentByMode({ ...zero, user: 10 }, { ...zero, user: 5, idle: 5 }), undefined)
  })
})
