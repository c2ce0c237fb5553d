import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request seen by the proxy on its way to S3. */
export interface S3LoggedRequest {
  readonly method: string
  readonly path: string
  readonly partNumber: number | null
  readonly uploadId: string | null
  readonly start: number
  status: number | null
  /** Request-body bytes forwarded. */
  bytes: number
  /** The client went away before the exchange finished (pause, kill). */
  aborted: boolean
}

/** What a fault hook may do to a request: answer it itself, or hold it before forwarding. */
export type S3Fault = { status: number; body: string } | { delayMs: number } | undefined

export interface S3Proxy {
  readonly endpoint: string
  readonly log: readonly S3LoggedRequest[]
  /** Part PUTs (UploadPart requests), optionally of one upload. */
  partPuts(uploadId?: string): S3LoggedRequest[]
  /** Limit each request body to this many bytes per second (null: unlimited). */
  setRate(bytesPerSecond: number | null): void
  setFault(fn: ((entry: S3LoggedRequest) => S3Fault) | null): void
  close(): Promise<void>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * A recording reverse proxy in front of the S3 engine. Presigned URLs and SigV4 signatures name
 * the proxy's host, and the Host header is forwarded unchanged, so signatures still verify at RGW.
 * Part PUTs are counted at the wire; bodies can be throttled and requests delayed or answered.
 */
export async function startS3Proxy(target: string): Promise<S3Proxy> {
  const to = new URL(target)
  const agent = new http.Agent({ keepAlive: true })
  const log: S3LoggedRequest[] = []
  let rate: number | null = null
  let fault: ((entry: S3LoggedRequest) => S3Fault) | null = null

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const pn = url.searchParams.get('partNumber')
    const entry: S3LoggedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      partNumber: pn === null ? null : Number(pn),
      uploadId: url.searchParams.get('uploadId'),
      start: Date.now(),
      status: null,
      bytes: 0,
      aborted: false,
    }
    log.push(entry)
    let clientGone = false
    req.on('close', () => {
      if (!req.complete) {
        clientGone = true
        entry.aborted = true
      }
    })
    res.on('close', () => {
      if (!res.writableFinished) {
        clientGone = true
        entry.aborted = true
      }
    })
    const f = fault?.(entry)
    if (f && 'status' in f) {
      req.resume()
      req.on('end', () => {
        entry.status = f.status
        res.writeHead(f.status, {
          'Content-Type': 'application/xml',
          'Content-Length': Buffer.byteLength(f.body),
        })
        res.end(f.body)
      })
      return
    }
    if (f && 'delayMs' in f) await sleep(f.delayMs)
    if (clientGone) return
    const upstream = http.request({
      host: to.hostname,
      port: to.port,
      method: req.method,
      path: req.url,
      headers: req.headers,
      agent,
    })
    upstream.on('response', (ures) => {
      entry.status = ures.statusCode ?? 0
      res.writeHead(ures.statusCode ?? 502, ures.headers)
      ures.pipe(res)
    })
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { Connection: 'close' }).end()
      else res.destroy()
    })
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        entry.bytes += chunk.length
        if (!upstream.write(chunk)) await new Promise((r) => upstream.once('drain', r))
        if (rate !== null) await sleep((chunk.length / rate) * 1000)
      }
      upstream.end()
    } catch {
      upstream.destroy()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    endpoint: `http://127.0.0.1:${port}`,
    log,
    partPuts: (uploadId) =>
      log.filter(
        (e) => e.method === 'PUT' && e.partNumber !== null && (!uploadId || e.uploadId === uploadId),
      ),
    setRate(bps) {
      rate = bps
    },
    setFault(fn) {
      fault = fn
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
