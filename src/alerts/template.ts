import type { Labels } from './labels.ts'

/**
 * Annotation templates, a small safe subset of Prometheus' Go templates: text with
 * `{{ $labels.NAME }}`, `{{ $value }}` and the few named values an evaluator supplies
 * (`{{ $threshold }}`, and for adaptive rules `{{ $baseline }}`, `{{ $bandLow }}`,
 * `{{ $bandHigh }}`). No functions, loops or code: a template is parsed once, at config load,
 * into literal and substitution parts, so rendering is a bounded concatenation.
 */
export const TEMPLATE_CHARS_MAX = 1024
/** A rendered annotation is cut to this many characters (a label value can be 1 KiB). */
export const RENDERED_CHARS_MAX = 4096

export const TEMPLATE_VARIABLES = ['value', 'threshold', 'baseline', 'bandLow', 'bandHigh'] as const
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number]

type Part = { text: string } | { label: string } | { variable: TemplateVariable }
export interface Template {
  readonly source: string
  readonly parts: readonly Part[]
}

const ACTION = /\{\{\s*(.*?)\s*\}\}/g
const LABEL_REF = /^\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)$/
const VAR_REF = /^\$([a-zA-Z]+)$/

/** Parses a template; throws a RangeError naming the bad action. */
export function parseTemplate(source: string): Template {
  if (source.length > TEMPLATE_CHARS_MAX) throw new RangeError(`template is longer than ${TEMPLATE_CHARS_MAX} characters`)
  const parts: Part[] = []
  let last = 0
  for (const m of source.matchAll(ACTION)) {
    if (m.index > last) parts.push({ text: source.slice(last, m.index) })
    const action = m[1]!
    const label = LABEL_REF.exec(action)
    const variable = VAR_REF.exec(action)
    if (label !== null) parts.push({ label: label[1]! })
    else if (variable !== null && (TEMPLATE_VARIABLES as readonly string[]).includes(variable[1]!)) parts.push({ variable: variable[1] as TemplateVariable })
    else throw new RangeError(`template action "{{ ${action} }}" is not $labels.NAME or one of ${TEMPLATE_VARIABLES.map((v) => '$' + v).join(', ')}`)
    last = m.index + m[0].length
  }
  const rest = source.slice(last)
  if (rest.includes('{{') || rest.includes('}}')) throw new RangeError('template has an unclosed "{{" or a stray "}}"')
  if (rest.length > 0) parts.push({ text: rest })
  return { source, parts }
}

/** Numbers shown the way a person reads them: up to 4 significant decimals, no exponent noise. */
export function formatValue(value: number | undefined): string {
  if (value === undefined) return ''
  if (!Number.isFinite(value)) return String(value)
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)))
}

export function renderTemplate(template: Template, labels: Labels, values: Partial<Record<TemplateVariable, number>>): string {
  let out = ''
  for (const part of template.parts) {
    if ('text' in part) out += part.text
    else if ('label' in part) out += labels[part.label] ?? ''
    else out += formatValue(values[part.variable])
    if (out.length > RENDERED_CHARS_MAX) return out.slice(0, RENDERED_CHARS_MAX)
  }
  return out
}
