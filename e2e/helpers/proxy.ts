import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface CreatedUpload {
  url: string
  filename: string
}

/** One answered request as it passed the proxy. */
export interface ProxiedRequest {
  method: string
  path: string
  status: number
  /** The Bearer token it carried, if any. */
  token: string | undefined
}

export interface ThrottleProxy {
  origin: string
  /** PATCH body bytes that reached the server, per upload path (/files/<id>). */
  patchBytes: Map<string, number>
  /** Body bytes of creation POSTs (creation-with-upload), per upload path they created (/files/<id>). */
  postBytes: Map<string, number>
  /** Every upload created through the proxy, in order (Location + Upload-Metadata filename). */
  created: CreatedUpload[]
  /** Every request, in the order their answers arrived. */
  requests: ProxiedRequest[]
  /**
   * PATCH requests to this upload path the proxy is still reading. A client that aborts leaves
   * bytes it had already sent in the sockets; the proxy reads (and counts) them until this is 0.
   */
  patchesOpen(path: string): number
  /** PATCH bytes per second per request; Infinity = no limit. */
  setRate(bytesPerSecond: number): void
  close(): Promise<void>
}

const filenameOf = (metadata: string | undefined): string => {
  for (const pair of (metadata ?? '').split(',')) {
    const [k, v] = pair.trim().split(' ')
    if (k === 'filename' && v) return Buffer.from(v, 'base64').toString('utf8')
  }
  return ''
}

/**
 * A loopback proxy in front of `shuttle serve`: it slows PATCH bodies down so that a 30 MiB file
 * is still mid-upload when the test pauses it, and counts the bytes each upload really sent (the
 * resume checks). The Host header passes through, so Location URLs point back at the proxy.
 */
export async function startProxy(target: string, bytesPerSecond: number): Promise<ThrottleProxy> {
  const t = new URL(target)
  let rate = bytesPerSecond
  const patchBytes = new Map<string, number>()
  const postBytes = new Map<string, number>()
  const created: CreatedUpload[] = []
  const requests: ProxiedRequest[] = []
  const open = new Map<string, number>()
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]
    let posted = 0
    if (req.method === 'POST') req.on('data', (chunk: Buffer) => (posted += chunk.length))
    const up = request(
      { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        requests.push({ method: req.method ?? '', path, status: r.statusCode ?? 0, token })
        if (req.method === 'POST' && r.headers.location) {
          postBytes.set(new URL(r.headers.location, target).pathname, posted)
          created.push({
            url: r.headers.location,
            filename: filenameOf(req.headers['upload-metadata'] as string),
          })
        }
        res.writeHead(r.statusCode ?? 502, r.headers)
        r.pipe(res)
      },
    )
    up.on('error', () => res.destroy())
    req.on('aborted', () => up.destroy())
    res.on('close', () => {
      if (!res.writableFinished) up.destroy()
    })
    if (req.method !== 'PATCH') {
      req.pipe(up)
      return
    }
    open.set(path, (open.get(path) ?? 0) + 1)
    req.on('close', () => open.set(path, (open.get(path) ?? 1) - 1))
    req.on('data', (chunk: Buffer) => {
      patchBytes.set(path, (patchBytes.get(path) ?? 0) + chunk.length)
      up.write(chunk)
      if (Number.isFinite(rate)) {
        req.pause()
        setTimeout(() => req.resume(), (chunk.length / rate) * 1000)
      }
    })
    req.on('end', () => up.end())
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    patchBytes,
    postBytes,
    created,
    requests,
    patchesOpen: (path) => open.get(path) ?? 0,
    setRate: (n) => {
      rate = n
    },
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections()
        server.close(() => ok())
      }),
  }
}
