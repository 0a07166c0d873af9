import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { z } from 'zod'
import { ALERT_CONFIG_DEFAULTS, alertConfigShape } from '../../src/alerts/settings.ts'
import { GROUPING_DEFAULTS } from '../../src/alerts/grouping.ts'

describe('alerting config keys', () => {
  const schema = z.strictObject(alertConfigShape)

  test('the defaults satisfy the schema and match Alertmanager\'s (groupWait 30 s, groupInterval 5 min, repeatInterval 4 h)', () => {
    const parsed = schema.parse(ALERT_CONFIG_DEFAULTS)
    assert.deepEqual(Object.keys(parsed).sort(), Object.keys(alertConfigShape).sort())
    assert.deepEqual([parsed.alertGroupWaitMs, parsed.alertGroupIntervalMs, parsed.alertRepeatIntervalMs], [GROUPING_DEFAULTS.groupWaitMs, GROUPING_DEFAULTS.groupIntervalMs, GROUPING_DEFAULTS.repeatIntervalMs])
    assert.deepEqual([parsed.alertGroupWaitMs, parsed.alertGroupIntervalMs, parsed.alertRepeatIntervalMs], [30_000, 300_000, 14_400_000])
  })

  test('names end in their unit', () => {
    for (const key of Object.keys(alertConfigShape)) assert.match(key, /(Ms|Max|Urls|Rules|By|Webhooks|Exec)$/, key)
  })

  test('bad values are refused with the key in the path', () => {
    const result = schema.safeParse({ ...ALERT_CONFIG_DEFAULTS, alertWebhooks: [{ url: 'ftp://x' }], alertGroupWaitMs: -1 })
    assert.equal(result.success, false)
    const paths = result.error!.issues.map((i) => i.path.join('.'))
    assert.ok(paths.includes('alertWebhooks.0.url'), paths.join())
    assert.ok(paths.includes('alertGroupWaitMs'), paths.join())
  })
})
