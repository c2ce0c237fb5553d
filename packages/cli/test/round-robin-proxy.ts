import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { trailerPairs } from '../../core/test/helpers/recording-proxy.js'

export interface RoundRobinProxy {
  readonly endpoint: string
  /** Which backend (index) answered each request, in order: `${method} ${index}`. */
  readonly routed: string[]
  close(): Promise<void>
}

/**
 * A load balancer in front of several servers: each request goes to the next backend in turn. A
 * backend that refuses a connection (killed) is marked down and skipped from then on; the request
 * goes to the next one if it has no body, else it is answered 502 (its body is half gone), as a
 * real balancer's passive health check does. Request trailers are passed on.
 */
export async function startRoundRobinProxy(targets: string[], path = '/files/'): Promise<RoundRobinProxy> {
  const backends = targets.map((t) => new URL(t))
  const routed: string[] = []
  const down = new Set<number>()
  let next = 0
  let origin = ''
  const server = http.createServer((req, res) => {
    const attempt = (tries: number) => {
      let index = next++ % backends.length
      for (let k = 0; k < backends.length && down.has(index); k++) index = next++ % backends.length
      const to = backends[index] as URL
      const upstream = http.request(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          routed.push(`${req.method} ${index}`)
          const headers = { ...answer.headers }
          // Locations point at the instance; the client keeps talking to the balancer.
          if (headers.location) headers.location = headers.location.replace(to.origin, origin)
          res.writeHead(answer.statusCode ?? 502, headers)
          answer.pipe(res)
        },
      )
      upstream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ECONNREFUSED') down.add(index)
        // A chunked body (a streamed PATCH with a trailer) has no Content-Length but is a body.
        const bodiless =
          req.headers['transfer-encoding'] === undefined &&
          (!req.headers['content-length'] || req.headers['content-length'] === '0')
        if (err.code === 'ECONNREFUSED' && bodiless && tries < backends.length) return attempt(tries + 1)
        if (!res.headersSent) res.writeHead(502).end(`proxy: ${err.message}`)
        else res.destroy()
      })
      // Request trailers (checksum-trailer) go on after the body, as a balancer that speaks HTTP/1.1
      // chunked bodies passes them; one that drops them costs the client one re-send per endpoint
      // (460 `Upload-Checksum-Trailer: missing`, then no trailers), which these tests do not measure.
      const end = () => {
        if (req.rawTrailers.length > 0) upstream.addTrailers(trailerPairs(req.rawTrailers))
        upstream.end()
      }
      // A bodiless request retried on another backend ended during the first attempt already.
      if (req.readableEnded) end()
      else {
        req.pipe(upstream, { end: false })
        req.on('end', end)
      }
    }
    attempt(1)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    endpoint: `${origin}${path}`,
    routed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
