import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { trailerPairs } from '../../core/test/helpers/recording-proxy.js'

export interface DelayProxy {
  readonly endpoint: string
  /** Methods of the requests seen, in order. */
  readonly seen: string[]
  close(): Promise<void>
}

/**
 * Forwards to `target`, holding the answer of the requests `delayMs` picks (e.g. the first
 * OPTIONS) for that many milliseconds: a slow gateway, a cold start.
 */
export async function startDelayProxy(
  target: string,
  delayMs: (method: string, index: number) => number,
): Promise<DelayProxy> {
  const to = new URL(target)
  const seen: string[] = []
  const timers = new Set<NodeJS.Timeout>()
  const server = http.createServer((req, res) => {
    const index = seen.push(req.method ?? '') - 1
    const forward = () => {
      const upstream = http.request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const headers = { ...answer.headers }
          // Locations point at the server; the client keeps talking to the proxy.
          if (headers.location) headers.location = headers.location.replace(to.origin, origin)
          res.writeHead(answer.statusCode ?? 502, headers)
          answer.pipe(res)
        },
      )
      upstream.on('error', () => res.destroy())
      // Request trailers (checksum-trailer) go on after the body, as a well-behaved proxy does.
      req.pipe(upstream, { end: false })
      req.on('end', () => {
        if (req.rawTrailers.length > 0) upstream.addTrailers(trailerPairs(req.rawTrailers))
        upstream.end()
      })
    }
    const wait = delayMs(req.method ?? '', index)
    if (wait <= 0) return forward()
    const t = setTimeout(() => {
      timers.delete(t)
      if (!req.destroyed) forward()
    }, wait)
    timers.add(t)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    endpoint: `${origin}${to.pathname}`,
    seen,
    async close() {
      for (const t of timers) clearTimeout(t)
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
