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

/** The key a zod issue is about; for unknown keys, the unknown key itself (`checks[0].intervalMS`). */
export function issueKey(issue: { path: readonly PropertyKey[]; code: string; keys?: readonly string[] }): string {
  if (issue.code === 'unrecognized_keys' && issue.keys !== undefined) {
    const prefix = issue.path.length > 0 ? `${formatKeyPath(issue.path)}.` : ''
    return issue.keys.map((k) => prefix + k).join(', ')
  }
  return formatKeyPath(issue.path)
}
