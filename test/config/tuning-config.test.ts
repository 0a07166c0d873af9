/**
 * The detector and supervisor tuning that used to be hard-coded in ClusterNode and its helpers
 * (okProbesMax, the probe wait, the heartbeat gap cap, the first-heartbeat grace, the actor
 * restart budget and cooldown, the flap steady phi) are options: their defaults reproduce the old
 * values, and a value out of range stops start-up naming the key and the rule.
 */
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { validateConfig } from '../../src/config/load.ts'
import { defaultConfig, PROFILES } from '../../src/config/profiles.ts'
import type { ConfigInput } from '../../src/config/schema.ts'
import { ConfigError } from '../../src/errors.ts'
import { detectionOptions } from '../../src/node/detection-options.ts'

const config = (over: ConfigInput, profile: keyof typeof PROFILES = 'lan') => validateConfig({ ...defaultConfig(), ...PROFILES[profile], ...over })

describe('tuning options', () => {
  test('the defaults give the detector the values it had when they were constants, in lan and wan', () => {
    // lan: 1 s heartbeats, 1 s probe timeout; wan: 2 s heartbeats, 3 s probe timeout.
    for (const [profile, hb, probe] of [['lan', 1000, 1000], ['wan', 2000, 3000]] as const) {
      const d = detectionOptions(config({}, profile))
      assert.equal(d.okProbesMax, 2, profile)
      assert.equal(d.probeWaitMs, probe + 250, profile)
      assert.equal(d.phi.intervalSampleMaxMs, 3 * hb, profile)
      assert.equal(d.firstHeartbeatGraceMs, 2 * hb, profile)
    }
    const c = config({})
    assert.deepEqual([c.actorRestartsMax, c.actorRestartWindowMs, c.actorReviveAfterMsMin, c.actorReviveAfterMsMax, c.flapSteadyPhiMax], [5, 60_000, 30_000, 300_000, 3])
  })

  test('each option reaches the detector scaled by the heartbeat interval where its unit says so', () => {
    const d = detectionOptions(config({ heartbeatIntervalMs: 500, probeTimeoutMs: 800, okProbesMax: 7, probeResultMarginMs: 40, heartbeatGapIntervalsMax: 2.5, firstHeartbeatGraceIntervals: 0 }))
    assert.deepEqual([d.okProbesMax, d.probeWaitMs, d.phi.intervalSampleMaxMs, d.firstHeartbeatGraceMs], [7, 840, 1250, 0])
  })

  // [option values, the key the error names, words its rule says]
  const bad: [ConfigInput, string, RegExp][] = [
    [{ okProbesMax: 0 }, 'okProbesMax', />=1|greater than or equal to 1/i],
    [{ okProbesMax: 101 }, 'okProbesMax', /<=100|less than or equal to 100/i],
    [{ okProbesMax: 1.5 }, 'okProbesMax', /expected int/i],
    [{ probeResultMarginMs: -1 }, 'probeResultMarginMs', />=0|greater than or equal to 0/i],
    [{ heartbeatGapIntervalsMax: 0.5 }, 'heartbeatGapIntervalsMax', />=1|greater than or equal to 1/i],
    [{ firstHeartbeatGraceIntervals: 101 }, 'firstHeartbeatGraceIntervals', /<=100|less than or equal to 100/i],
    [{ actorRestartsMax: -1 }, 'actorRestartsMax', />=0|greater than or equal to 0/i],
    [{ actorRestartWindowMs: 86_400_001 }, 'actorRestartWindowMs', /<=86400000|less than or equal to 86400000/i],
    [{ actorReviveAfterMsMin: 0 }, 'actorReviveAfterMsMin', />=1|greater than or equal to 1/i],
    [{ actorReviveAfterMsMin: 60_000, actorReviveAfterMsMax: 30_000 }, 'actorReviveAfterMsMin', /at most actorReviveAfterMsMax \(30000\)/],
    [{ flapSteadyPhiMax: 51 }, 'flapSteadyPhiMax', /<=50|less than or equal to 50/i]
  ]
  for (const [over, key, rule] of bad) {
    test(`refuses ${JSON.stringify(over)}, naming ${key} and the rule`, () => {
      assert.throws(() => config(over), (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err))
        assert.equal(err.key, key)
        assert.match(err.rule, rule)
        assert.ok(err.message.includes(key), err.message)
        return true
      })
    })
  }

  test('the bounds themselves are accepted', () => {
    assert.doesNotThrow(() => config({ okProbesMax: 1, probeResultMarginMs: 0, heartbeatGapIntervalsMax: 1, firstHeartbeatGraceIntervals: 0, actorRestartsMax: 0, actorRestartWindowMs: 0, actorReviveAfterMsMin: 1, actorReviveAfterMsMax: 1, flapSteadyPhiMax: 0 }))
  })
})
