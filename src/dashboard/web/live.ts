/**
 * The dashboard's live state: the view polled for phi and resources, state changes applied the
 * moment they arrive on the event stream, alerts polled and refreshed on each event, and this
 * node's metric history for the sparklines. Every list kept here is bounded.
 */
import { useEffect, useState } from 'preact/hooks'
import { followStream, getJson, HttpError, Unauthorized } from './client.ts'
import { LIVE_STATES, parseAlerts, parseHistory, parseStreamLine, parseView, withLiveStates, type AlertItem, type FeedItem, type ViewModel } from './model.ts'

export const VIEW_POLL_MS = 2000
export const ALERTS_POLL_MS = 5000
export const HISTORY_POLL_MS = 30_000
/** Events kept for the log and the timeline (the stream may replay many more). */
export const EVENTS_KEPT_MAX = 2000
const RECONNECT_MS_MIN = 500
const RECONNECT_MS_MAX = 10_000

/** Metrics drawn as sparklines: name in history, label, and how to print the latest value. */
export const SPARKLINES = [
  { metric: 'node_load1', label: 'load 1m', format: (v: number) => v.toFixed(2) },
  { metric: 'node_memory_MemAvailable_bytes', label: 'memory available', format: (v: number) => `${(v / 2 ** 30).toFixed(1)} GiB` },
  { metric: 'node_filesystem_avail_bytes', label: 'disk available', format: (v: number) => `${(v / 2 ** 30).toFixed(1)} GiB` }
] as const

export interface LiveState {
  view: ViewModel | null
  viewError: string
  alerts: AlertItem[]
  alertsError: string
  events: FeedItem[]
  streaming: boolean
  history: Record<string, [number, number][]>
  /** Why there are no sparklines ('' while there may be): the agent keeps no history, or not of that metric. */
  historyNote: string
  needsToken: boolean
  nowMs: number
}

export function useLiveState(): LiveState {
  const [state, setState] = useState<LiveState>({
    view: null, viewError: '', alerts: [], alertsError: '', events: [], streaming: false, history: {}, historyNote: '', needsToken: false, nowMs: Date.now()
  })
  useEffect(() => {
    const stop = new AbortController()
    const signal = stop.signal
    const latest = new Map<string, FeedItem>()
    let rawView: ViewModel | null = null
    const patch = (p: Partial<LiveState>): void => { if (!signal.aborted) setState((s) => ({ ...s, ...p })) }
    const failed = (error: unknown): string => {
      if (error instanceof Unauthorized) patch({ needsToken: true })
      return signal.aborted ? '' : error instanceof Error ? error.message : String(error)
    }

    // A restarted agent numbers its events from 1 again: reading on from the last id seen would
    // skip its first events, so the stream starts over (and the log with it) when the view's
    // node id or start time changes.
    let agentRun = ''
    let epoch = 0
    let connection: AbortController | undefined
    let wake: (() => void) | undefined
    const noticeRun = (view: ViewModel): void => {
      const run = `${view.self?.id ?? ''}/${view.self?.sinceMs ?? ''}`
      if (agentRun !== '' && run !== agentRun) {
        epoch += 1
        connection?.abort()
        wake?.()
      }
      agentRun = run
    }

    const loadView = async (): Promise<void> => {
      try {
        rawView = parseView(await getJson('/v1/view', signal))
        noticeRun(rawView)
        patch({ view: withLiveStates(rawView, latest), viewError: '', needsToken: false })
      } catch (error) {
        patch({ viewError: failed(error) })
      }
    }
    const loadAlerts = async (): Promise<void> => {
      try {
        patch({ alerts: parseAlerts(await getJson('/v1/alerts', signal)), alertsError: '' })
      } catch (error) {
        patch({ alertsError: failed(error) })
      }
    }
    // Asked again only while the agent may have it: a 503 (no history kept) or a 404 (not this
    // metric) is the agent's answer for as long as it runs, so asking each period would only
    // repeat the refusal.
    const historyAsked = new Set<string>(SPARKLINES.map((s) => s.metric))
    const loadHistory = async (): Promise<void> => {
      const history: Record<string, [number, number][]> = {}
      let historyNote = ''
      for (const metric of historyAsked) {
        try {
          history[metric] = parseHistory(await getJson(`/v1/metrics/history?name=${metric}&since=30m`, signal))
        } catch (error) {
          history[metric] = []
          if (error instanceof HttpError && (error.status === 503 || error.status === 404)) {
            historyNote = error.message
            // 503: no history at all, so not for the other metrics either.
            if (error.status === 503) historyAsked.clear()
            else historyAsked.delete(metric)
            if (error.status === 503) break
          }
        }
      }
      patch({ history, historyNote })
    }

    let alertsSoon: number | undefined
    const onEvent = (item: FeedItem): void => {
      if (item.peerId !== '' && LIVE_STATES.has(item.to)) latest.set(item.peerId, item)
      setState((s) => {
        const events = s.events.length >= EVENTS_KEPT_MAX ? [...s.events.slice(-(EVENTS_KEPT_MAX - 1)), item] : [...s.events, item]
        return { ...s, events, view: rawView === null ? s.view : withLiveStates(rawView, latest) }
      })
      // An alert follows a state change: fetch it now rather than at the next poll.
      window.clearTimeout(alertsSoon)
      alertsSoon = window.setTimeout(() => { void loadAlerts() }, 250)
    }

    const stream = async (): Promise<void> => {
      let lastId = 0
      let backoffMs = RECONNECT_MS_MIN
      let seenEpoch = epoch
      while (!signal.aborted) {
        if (seenEpoch !== epoch) {
          seenEpoch = epoch
          lastId = 0
          backoffMs = RECONNECT_MS_MIN
          latest.clear()
          patch({ events: [] })
        }
        connection = new AbortController()
        try {
          await followStream(lastId, (line) => {
            patch({ streaming: true })
            const parsed = parseStreamLine(line)
            if (parsed === null) return
            if ('error' in parsed) throw new Error(parsed.error)
            lastId = Math.max(lastId, parsed.id)
            backoffMs = RECONNECT_MS_MIN
            onEvent(parsed)
          }, AbortSignal.any([signal, connection.signal]))
        } catch (error) {
          failed(error)
        }
        patch({ streaming: false })
        if (signal.aborted) return
        if (seenEpoch !== epoch) continue
        await new Promise<void>((resolve) => {
          wake = resolve
          window.setTimeout(resolve, backoffMs)
        })
        wake = undefined
        backoffMs = Math.min(RECONNECT_MS_MAX, backoffMs * 2)
      }
    }

    void loadView()
    void loadAlerts()
    void loadHistory()
    void stream()
    const timers = [
      window.setInterval(() => { void loadView() }, VIEW_POLL_MS),
      window.setInterval(() => { void loadAlerts() }, ALERTS_POLL_MS),
      window.setInterval(() => { void loadHistory() }, HISTORY_POLL_MS),
      window.setInterval(() => patch({ nowMs: Date.now() }), 1000)
    ]
    return () => {
      stop.abort()
      window.clearTimeout(alertsSoon)
      for (const t of timers) window.clearInterval(t)
    }
  }, [])
  return state
}
