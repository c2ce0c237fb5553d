import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeMetadataFilename } from './metadata.js'

export interface LoggedRequest {
  readonly method: string
  /** Request path as sent by the client. */
  readonly path: string
  /** Path of the upload this request belongs to (for a creation POST: its Location path). */
  uploadPath: string | null
  /** Filename from Upload-Metadata, when the client sent one. */
  readonly filename: string | null
  /** Upload-Offset request header (PATCH), when present. */
  readonly offset: number | null
  /** Upload-Concat request header (tus concatenation), when present. */
  readonly concat: string | null
  /** Upload-Checksum request header, when present. */
  readonly checksum: string | null
  /** One byte of this request's body was flipped on its way (see corruptNextPatch). */
  corrupted: boolean
  readonly start: number
  end: number | null
  /** Request-body bytes received from the client so far. */
  bytes: number
  status: number | null
  /** The client went away before the response was complete. */
  aborted: boolean
}

export interface RecordingProxy {
  /** Origin of the proxy, e.g. http://127.0.0.1:4321 */
  readonly origin: string
  /** Same path as the target endpoint, on the proxy. */
  readonly endpoint: string
  readonly log: readonly LoggedRequest[]
  /** Request-body bytes received for one upload (by URL or path), creation POST included. */
  bytesFor(uploadUrl: string): number
  /** Requests logged for one upload (by URL or path), creation POST included. */
  requestsFor(uploadUrl: string): LoggedRequest[]
  /** Count and body bytes of requests per HTTP method. */
  byMethod(): Record<string, { count: number; bytes: number }>
  /** Flip one byte in the body of the next PATCH that carries one (simulates bit rot in transit). */
  corruptNextPatch(): void
  /** Limit each request body to this many bytes per second (null: unlimited). */
  setRate(bytesPerSecond: number | null): void
  close(): Promise<void>
}

/** Resolves on 'drain', or at once if the upstream request is gone (it will never drain). */
function drainOrClose(upstream: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      upstream.off('drain', done)
      upstream.off('close', done)
      resolve()
    }
    upstream.on('drain', done)
    upstream.on('close', done)
  })
}

/** Waits `ms`, or less if the client goes away (a stalled request must not pin a timer). */
function pauseUnlessClosed(ms: number, req: http.IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      req.off('close', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    req.once('close', done)
  })
}

const pathOf = (urlOrPath: string) => new URL(urlOrPath, 'http://x').pathname

/**
 * A reverse HTTP proxy on 127.0.0.1 that forwards every request to `target` and records
 * method, path, timing and request-body bytes, so upload traffic is measured at the wire
 * the same way for every server. Location headers pointing at the target are rewritten.
 */
export async function startRecordingProxy(
  targetEndpoint: string,
  options: {
    bytesPerSecond?: number | null
    /** Edits the target's response headers (lower-case names) before they go to the client. */
    mapResponseHeaders?: (method: string, headers: http.IncomingHttpHeaders) => void
    /** Edits the client's request headers (lower-case names) before they go to the target. */
    mapRequestHeaders?: (method: string, headers: http.IncomingHttpHeaders) => void
    /** Forward request bodies without their trailers, as some proxies do. */
    dropTrailers?: boolean
  } = {},
): Promise<RecordingProxy> {
  const target = new URL(targetEndpoint)
  const agent = new http.Agent({ keepAlive: true })
  const log: LoggedRequest[] = []
  let rate = options.bytesPerSecond ?? null
  let origin = ''
  let corruptPending = false

  const server = http.createServer((req, res) => {
    const meta = req.headers['upload-metadata']
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: pathOf(req.url ?? '/'),
      uploadPath: null,
      filename: typeof meta === 'string' ? decodeMetadataFilename(meta) : null,
      offset: req.headers['upload-offset'] === undefined ? null : Number(req.headers['upload-offset']),
      concat: typeof req.headers['upload-concat'] === 'string' ? req.headers['upload-concat'] : null,
      checksum: typeof req.headers['upload-checksum'] === 'string' ? req.headers['upload-checksum'] : null,
      corrupted: false,
      start: Date.now(),
      end: null,
      bytes: 0,
      status: null,
      aborted: false,
    }
    if (entry.method !== 'POST' || entry.path !== target.pathname) entry.uploadPath = entry.path
    log.push(entry)

    const requestHeaders = { ...req.headers }
    options.mapRequestHeaders?.(entry.method, requestHeaders)
    const upstream = http.request({
      host: target.hostname,
      port: target.port,
      method: req.method,
      path: req.url,
      headers: requestHeaders,
      agent,
    })
    upstream.on('response', (ures) => {
      entry.status = ures.statusCode ?? 0
      const headers = { ...ures.headers }
      const location = headers.location
      if (location) {
        const abs = new URL(location, target)
        if (abs.host === target.host) headers.location = `${origin}${abs.pathname}${abs.search}`
        if (entry.uploadPath === null) entry.uploadPath = abs.pathname
      }
      options.mapResponseHeaders?.(entry.method, headers)
      res.writeHead(ures.statusCode ?? 502, headers)
      ures.pipe(res)
      ures.on('end', () => {
        entry.end = Date.now()
      })
    })
    upstream.on('error', () => {
      entry.end ??= Date.now()
      if (!res.headersSent) res.writeHead(502, { Connection: 'close' }).end()
      else res.destroy()
    })
    res.on('close', () => {
      if (!res.writableFinished) {
        entry.aborted = true
        entry.end ??= Date.now()
        upstream.destroy()
      }
    })
    req.on('close', () => {
      if (!req.complete) {
        entry.aborted = true
        upstream.destroy()
      }
    })

    void (async () => {
      let next = Date.now()
      try {
        for await (const chunk of req as AsyncIterable<Buffer>) {
          entry.bytes += chunk.length
          if (corruptPending && entry.method === 'PATCH' && chunk.length > 0) {
            corruptPending = false
            entry.corrupted = true
            chunk[chunk.length >> 1] = (chunk[chunk.length >> 1] ?? 0) ^ 0xff
          }
          if (upstream.destroyed) break
          if (!upstream.write(chunk)) await drainOrClose(upstream)
          if (rate) {
            next = Math.max(next, Date.now()) + (chunk.length / rate) * 1000
            const wait = next - Date.now()
            if (wait > 0) await pauseUnlessClosed(wait, req)
          }
        }
        if (!upstream.destroyed) {
          // Request trailers (checksum-trailer) go on as they came, as a well-behaved proxy does.
          if (req.rawTrailers.length > 0 && !options.dropTrailers) {
            upstream.addTrailers(trailerPairs(req.rawTrailers))
          }
          upstream.end()
        }
      } catch {
        upstream.destroy()
      }
    })()
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  origin = `http://127.0.0.1:${port}`

  const belongs = (e: LoggedRequest, p: string) => e.uploadPath === p || e.path === p
  return {
    origin,
    endpoint: `${origin}${target.pathname}`,
    log,
    bytesFor: (url) => {
      const p = pathOf(url)
      return log.filter((e) => belongs(e, p)).reduce((n, e) => n + e.bytes, 0)
    },
    requestsFor: (url) => {
      const p = pathOf(url)
      return log.filter((e) => belongs(e, p))
    },
    byMethod: () => {
      const out: Record<string, { count: number; bytes: number }> = {}
      for (const e of log) {
        const m = out[e.method] ?? { count: 0, bytes: 0 }
        out[e.method] = m
        m.count++
        m.bytes += e.bytes
      }
      return out
    },
    corruptNextPatch: () => {
      corruptPending = true
    },
    setRate: (r) => {
      rate = r
    },
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}

/** Node's raw [name, value, name, value, …] list as pairs for addTrailers. */
export function trailerPairs(raw: readonly string[]): [string, string][] {
  const pairs: [string, string][] = []
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string])
  return pairs
}
