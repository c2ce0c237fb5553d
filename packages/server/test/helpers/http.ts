import { createHash } from 'node:crypto'
import { once } from 'node:events'
import http from 'node:http'
import net from 'node:net'

export const TUS_HEADERS = { 'Tus-Resumable': '1.0.0' } as const

let defaults: Record<string, string> = {}

/**
 * Headers every request made through this module carries (before its own), e.g. an upload token
 * when a suite written for an open server runs again against one that requires tokens.
 */
export function setDefaultHeaders(headers: Record<string, string>): void {
  defaults = { ...headers }
}

export function defaultHeaders(): Readonly<Record<string, string>> {
  return defaults
}

export interface RawResponse {
  status: number
  headers: http.IncomingHttpHeaders
  /** The body decoded as UTF-8 (empty for HEAD). */
  body: string
  bytes: Buffer
}

export interface RawRequestOptions {
  method: string
  /** Absolute URL (http://127.0.0.1:port/…). Its path is used unless `rawPath` is given. */
  url: string
  /** Request target sent verbatim (no normalisation of `..`, percent escapes kept as written). */
  rawPath?: string
  headers?: Record<string, string | number | readonly string[]>
  body?: Buffer | string
  /** Send the body with Transfer-Encoding: chunked (no Content-Length). */
  chunked?: boolean
  timeoutMs?: number
}

/**
 * One HTTP/1.1 request over a fresh connection with exactly the headers given (no defaults beyond
 * Host and the body framing Node adds). Resolves with status, headers and the whole body.
 */
export function rawRequest(opts: RawRequestOptions): Promise<RawResponse> {
  const url = new URL(opts.url)
  if (url.hostname !== '127.0.0.1') throw new Error(`tests only talk to 127.0.0.1, got ${url.hostname}`)
  return new Promise<RawResponse>((resolve, reject) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: opts.method,
      path: opts.rawPath ?? `${url.pathname}${url.search}`,
      headers: { ...defaults, ...opts.headers } as http.OutgoingHttpHeaders,
      agent: false,
      timeout: opts.timeoutMs ?? 15_000,
    })
    req.on('timeout', () => req.destroy(new Error(`${opts.method} ${opts.url} timed out`)))
    req.on('error', reject)
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        const bytes = Buffer.concat(chunks)
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes })
      })
    })
    if (opts.body !== undefined && opts.body.length > 0) {
      if (opts.chunked) {
        req.setHeader('Transfer-Encoding', 'chunked')
        const body = Buffer.from(opts.body)
        const half = Math.ceil(body.length / 2)
        req.write(body.subarray(0, half))
        req.end(body.subarray(half))
      } else {
        if (!req.hasHeader('content-length')) req.setHeader('Content-Length', Buffer.byteLength(opts.body))
        req.end(opts.body)
      }
    } else {
      req.end()
    }
  })
}

/**
 * Writes raw bytes to 127.0.0.1:port and collects whatever comes back until the server closes
 * the connection or `timeoutMs` passes. For requests Node's http client refuses to build.
 */
export async function rawSocket(port: number, payload: string | Buffer, timeoutMs = 5000): Promise<string> {
  const socket = net.connect({ host: '127.0.0.1', port })
  await once(socket, 'connect')
  const chunks: Buffer[] = []
  socket.on('data', (c: Buffer) => chunks.push(c))
  socket.write(payload)
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy()
      resolve()
    }, timeoutMs)
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    socket.on('end', done)
    socket.on('close', done)
    socket.on('error', done)
  })
  socket.destroy()
  return Buffer.concat(chunks).toString('latin1')
}

export interface StreamingRequest {
  readonly req: http.ClientRequest
  /** Bytes handed to the socket so far (an upper bound of what the server can have received). */
  readonly sent: number
  /** Settles when the response ends or the connection fails; never rejects. */
  readonly result: Promise<{ response?: RawResponse; error?: Error }>
  /** Stop producing body bytes (the request stays open, stalled) until resume() is called. */
  pause(): void
  resume(): void
  /** Abort the connection mid-body. */
  destroy(): void
  /** Resolves once at least `n` bytes were sent (or the request is over). */
  waitSent(n: number): Promise<void>
}

export interface StreamingRequestOptions {
  method: string
  url: string
  headers: Record<string, string | number>
  body: Iterable<Buffer> | AsyncIterable<Buffer>
  /** Wait this long between chunks (throttling). */
  delayMs?: number
  /** Called after each chunk is handed to the socket with the running total. */
  onSent?: (sent: number) => void
  timeoutMs?: number
}

/** A request whose body is streamed chunk by chunk with backpressure, pausable and destroyable. */
export function streamingRequest(opts: StreamingRequestOptions): StreamingRequest {
  const url = new URL(opts.url)
  if (url.hostname !== '127.0.0.1') throw new Error(`tests only talk to 127.0.0.1, got ${url.hostname}`)
  const req = http.request({
    host: url.hostname,
    port: url.port,
    method: opts.method,
    path: `${url.pathname}${url.search}`,
    headers: { ...defaults, ...opts.headers },
    agent: false,
  })
  let sent = 0
  let over = false
  let paused = false
  let wake: (() => void) | undefined
  const waiters: { n: number; resolve: () => void }[] = []
  const notify = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      const w = waiters[i]!
      if (over || sent >= w.n) {
        waiters.splice(i, 1)
        w.resolve()
      }
    }
  }
  const timer = setTimeout(
    () => req.destroy(new Error('streaming request timed out')),
    opts.timeoutMs ?? 110_000,
  )
  const result = new Promise<{ response?: RawResponse; error?: Error }>((resolve) => {
    const finish = (value: { response?: RawResponse; error?: Error }) => {
      over = true
      clearTimeout(timer)
      wake?.()
      notify()
      resolve(value)
    }
    req.on('error', (error) => finish({ error }))
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', (error) => finish({ error }))
      res.on('end', () => {
        const bytes = Buffer.concat(chunks)
        finish({
          response: {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: bytes.toString('utf8'),
            bytes,
          },
        })
      })
    })
  })
  const pump = async () => {
    try {
      for await (const chunk of opts.body) {
        while (paused && !over) await new Promise<void>((r) => (wake = r))
        if (over || req.destroyed) return
        const ok = req.write(chunk)
        sent += chunk.length
        opts.onSent?.(sent)
        notify()
        if (!ok) {
          await new Promise<void>((r) => {
            wake = r
            req.once('drain', r)
          })
        }
        if (opts.delayMs) await new Promise<void>((r) => setTimeout(r, opts.delayMs))
      }
      if (!over && !req.destroyed) req.end()
    } catch (error) {
      req.destroy(error as Error)
    }
  }
  void pump()
  return {
    req,
    get sent() {
      return sent
    },
    result,
    pause() {
      paused = true
    },
    resume() {
      paused = false
      wake?.()
    },
    destroy() {
      req.destroy()
    },
    waitSent(n: number) {
      return new Promise<void>((resolve) => {
        waiters.push({ n, resolve })
        notify()
      })
    },
  }
}

/** GET `url` and hash the body as it streams (for large downloads). */
export function downloadSha256(
  url: string,
  headers: Record<string, string> = { ...TUS_HEADERS },
  timeoutMs = 110_000,
): Promise<{ status: number; size: number; sha256: string; headers: http.IncomingHttpHeaders }> {
  const u = new URL(url)
  if (u.hostname !== '127.0.0.1') throw new Error(`tests only talk to 127.0.0.1, got ${u.hostname}`)
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      headers: { ...defaults, ...headers },
      agent: false,
    })
    const timer = setTimeout(() => req.destroy(new Error(`GET ${url} timed out`)), timeoutMs)
    req.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    req.on('response', (res) => {
      const hash = createHash('sha256')
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        hash.update(c)
      })
      res.on('error', reject)
      res.on('end', () => {
        clearTimeout(timer)
        resolve({ status: res.statusCode ?? 0, size, sha256: hash.digest('hex'), headers: res.headers })
      })
    })
    req.end()
  })
}
