/** Numbers and times as the dashboard prints them; an absent value is an empty cell. */
export const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '' : `${v.toFixed(v < 10 ? 1 : 0)} %`)
export const fixed = (v: number | null | undefined, digits = 1): string => (v === null || v === undefined ? '' : v.toFixed(digits))

export function ago(ms: number | null, nowMs: number): string {
  if (ms === null) return ''
  const s = Math.max(0, Math.round((nowMs - ms) / 1000))
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 86_400) return `${Math.floor(s / 3600)}h ago`
  return `${Math.floor(s / 86_400)}d ago`
}

export const clockTime = (ms: number | null): string => (ms === null ? '' : new Date(ms).toLocaleTimeString([], { hour12: false }))
