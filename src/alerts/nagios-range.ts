/**
 * Nagios threshold ranges, exactly as the Monitoring Plugins development guidelines define them
 * (https://www.monitoring-plugins.org/doc/guidelines.html#THRESHOLDFORMAT):
 *
 *   [@]start:end   start <= end; "start:" may be left out when start is 0; "~" as start is
 *                  negative infinity; an empty end is positive infinity.
 *   Alert when the value is OUTSIDE start..end (endpoints inclusive, so they do not alert);
 *   with a leading "@", alert when it is INSIDE start..end (endpoints included).
 *
 *   10      alert if < 0 or > 10        10:     alert if < 10
 *   ~:10    alert if > 10               10:20   alert if < 10 or > 20
 *   @10:20  alert if >= 10 and <= 20
 */
export interface NagiosRange {
  readonly start: number
  readonly end: number
  /** `@`: alert inside the range instead of outside. */
  readonly inside: boolean
  /** The text it was parsed from, for messages and annotations. */
  readonly text: string
}

/** Range strings longer than this are refused: no threshold needs more. */
export const RANGE_TEXT_CHARS_MAX = 64

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/

function parseNumber(text: string, what: string, whole: string): number {
  if (!NUMBER.test(text)) throw new RangeError(`range "${whole}": ${what} "${text}" is not a number`)
  return Number(text)
}

/** Parses a range; throws a RangeError saying what is wrong with it. */
export function parseRange(text: string): NagiosRange {
  if (typeof text !== 'string') throw new RangeError('range must be a string')
  const whole = text.trim()
  if (whole.length === 0) throw new RangeError('range is empty')
  if (whole.length > RANGE_TEXT_CHARS_MAX) throw new RangeError(`range is longer than ${RANGE_TEXT_CHARS_MAX} characters`)
  const inside = whole.startsWith('@')
  const body = inside ? whole.slice(1) : whole
  const colon = body.indexOf(':')
  if (body.indexOf(':', colon + 1) !== -1 && colon !== -1) throw new RangeError(`range "${whole}": more than one ":"`)
  let start: number
  let end: number
  if (colon === -1) {
    start = 0
    end = parseNumber(body, 'end', whole)
  } else {
    const startText = body.slice(0, colon)
    const endText = body.slice(colon + 1)
    start = startText === '~' ? -Infinity : startText === '' ? 0 : parseNumber(startText, 'start', whole)
    end = endText === '' ? Infinity : parseNumber(endText, 'end', whole)
  }
  if (start > end) throw new RangeError(`range "${whole}": start ${start} is greater than end ${end}`)
  return { start, end, inside, text: whole }
}

/** Whether `value` raises the alert this range stands for. NaN always alerts (no valid reading). */
export function alertsOn(range: NagiosRange, value: number): boolean {
  if (Number.isNaN(value)) return true
  const within = value >= range.start && value <= range.end
  return range.inside ? within : !within
}
