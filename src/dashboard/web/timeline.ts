/**
 * The timeline's lanes, as pure data: per member that changed state in the window, the spans it
 * spent in each state, the most recently changed members first.
 */
import type { FeedItem } from './model.ts'

const LANES_MAX = 12
export const TIMELINE_WINDOW_MS = 10 * 60_000
const TIMELINE_WINDOW_MS_MIN = 60_000

/** The last 10 minutes, or less while the log is younger, so a fresh cluster's changes are not slivers. */
export function timelineWindowMs(events: FeedItem[], nowMs: number): number {
  const first = events.find((e) => e.atMs !== null)?.atMs ?? nowMs
  return Math.min(TIMELINE_WINDOW_MS, Math.max(TIMELINE_WINDOW_MS_MIN, nowMs - first))
}

export interface Segment { from: number; to: number; state: string }

/** Per member, the states it was in over [startMs, nowMs], from its state-change events. */
export function lanes(events: FeedItem[], nowMs: number, windowMs = TIMELINE_WINDOW_MS): { name: string; segments: Segment[] }[] {
  const startMs = nowMs - windowMs
  const byPeer = new Map<string, { name: string; changes: FeedItem[] }>()
  for (const e of events) {
    if (e.to === '' || e.atMs === null) continue
    const lane = byPeer.get(e.peerId) ?? { name: e.name || e.peerId.slice(0, 12), changes: [] }
    lane.changes.push(e)
    byPeer.set(e.peerId, lane)
  }
  const out: { name: string; segments: Segment[]; lastMs: number }[] = []
  for (const { name, changes } of byPeer.values()) {
    if (!changes.some((c) => (c.atMs ?? 0) >= startMs)) continue
    const segments: Segment[] = []
    changes.forEach((c, i) => {
      const from = Math.max(startMs, c.atMs!)
      const to = i + 1 < changes.length ? changes[i + 1]!.atMs! : nowMs
      if (to > startMs) segments.push({ from, to: Math.max(from, to), state: c.to })
    })
    out.push({ name, segments, lastMs: changes[changes.length - 1]!.atMs! })
  }
  return out.sort((a, b) => b.lastMs - a.lastMs).slice(0, LANES_MAX)
}

