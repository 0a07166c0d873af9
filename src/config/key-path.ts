/**
 * How a config key is named in errors: dotted object keys with list positions in brackets, as
 * an operator writes them in YAML or JSON paths: `checks[1].timeoutMs`, not `checks.1.timeoutMs`.
 */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`
    else out += out === '' ? String(part) : `.${String(part)}`
  }
  return out === '' ? '(root)' : out
}

/**
 * For an issue inside a list of objects with ids (the `checks` list), " (check "web")", so the
 * operator sees which entry without counting; '' elsewhere or when the entry has no usable id.
 */
export function entryName(input: unknown, path: readonly PropertyKey[]): string {
  if (path[0] !== 'checks' || typeof path[1] !== 'number' || typeof input !== 'object' || input === null) return ''
  const list = (input as { checks?: unknown }).checks
  const entry = Array.isArray(list) ? (list[path[1]] as unknown) : undefined
  const id = typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined
  return typeof id === 'string' && id.length <= 64 ? ` (check ${JSON.stringify(id)})` : ''
}
