import { createNodeHttpClient, type createUploader, type HttpClient } from '@shuttle/core'

export type Uploader = ReturnType<typeof createUploader>
export type Status =
  | 'idle'
  | 'queued'
  | 'preparing'
  | 'uploading'
  | 'paused'
  | 'retrying'
  | 'completed'
  | 'failed'
  | 'canceled'

export interface Transition {
  readonly id: string
  readonly from: Status
  readonly to: Status
  readonly at: number
}

/** Records every state change with its time, for order and latency assertions. */
export function recordTransitions(up: Uploader): Transition[] {
  const out: Transition[] = []
  up.on('state-change', ({ id, from, to }) => {
    out.push({ id, from: from.status as Status, to: to.status as Status, at: Date.now() })
  })
  return out
}

/** Ids in the order they first entered one of `statuses`. */
export function firstEntries(transitions: readonly Transition[], statuses: readonly Status[]): string[] {
  const seen: string[] = []
  for (const t of transitions) if (statuses.includes(t.to) && !seen.includes(t.id)) seen.push(t.id)
  return seen
}

/** Resolves once every id is completed; rejects as soon as one fails or is canceled, or on timeout. */
export function waitForCompletion(up: Uploader, ids: readonly string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs: Array<() => void> = []
    const done = (err?: Error) => {
      clearTimeout(timer)
      for (const off of offs) off()
      if (err) reject(err)
      else resolve()
    }
    const check = () => {
      const files = ids.map((id) => up.getFile(id))
      const bad = files.find((f) => f?.status === 'failed' || f?.status === 'canceled')
      if (bad) return done(new Error(`${bad.name} ended ${bad.status}: ${String(bad.error)}`))
      if (files.every((f) => f?.status === 'completed')) done()
    }
    const timer = setTimeout(() => {
      const summary = ids.map((id) => {
        const f = up.getFile(id)
        return `${f?.name}: ${f?.status} ${f?.bytesConfirmed}/${f?.size}`
      })
      done(new Error(`timed out after ${timeoutMs} ms: ${summary.join('; ')}`))
    }, timeoutMs)
    offs.push(up.on('state-change', check))
    check()
  })
}

/** The file's current status, failing loudly if the id is unknown. */
export function statusOf(up: Uploader, id: string): Status {
  const f = up.getFile(id)
  if (!f) throw new Error(`unknown file ${id}`)
  return f.status as Status
}

export interface SentRequest {
  readonly method: string
  readonly url: string
  /** When the engine handed the request to the HTTP client. */
  readonly at: number
  /** Its signal was already aborted at that moment (the client must refuse it). */
  readonly abortedAtCall: boolean
}

/** The Node HTTP client, wrapped to record every request the engine issues, on the client side. */
export function recordingHttpClient(): {
  client: HttpClient
  sends: SentRequest[]
  /** Most requests ever in flight at once for one URL (the creation endpoint excluded). */
  maxInFlightPerUrl(): number
} {
  const base = createNodeHttpClient()
  const sends: SentRequest[] = []
  const inFlight = new Map<string, number>()
  let max = 0
  const client: HttpClient = {
    async send(req) {
      sends.push({ method: req.method, url: req.url, at: Date.now(), abortedAtCall: req.signal.aborted })
      if (req.method === 'POST') return base.send(req)
      const n = (inFlight.get(req.url) ?? 0) + 1
      inFlight.set(req.url, n)
      max = Math.max(max, n)
      try {
        return await base.send(req)
      } finally {
        inFlight.set(req.url, (inFlight.get(req.url) ?? 1) - 1)
      }
    },
  }
  return { client, sends, maxInFlightPerUrl: () => max }
}
