import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { seededRandom } from './files.js'
import { trailerPairs } from './recording-proxy.js'

export interface FlippedRequest {
  readonly method: string
  readonly path: string
  /** Byte of the request body whose bit was flipped, and which bit. */
  readonly at: number
  readonly bit: number
  /** The answer's status once it came (460 when the server caught it). */
  status: number | null
}

export interface BitFlipProxy {
  readonly endpoint: string
  /** Every request whose body had one bit flipped on its way, in order. */
  readonly flipped: readonly FlippedRequest[]
  /** Statuses of every answer, in order. */
  readonly statuses: readonly number[]
  close(): Promise<void>
}

export interface BitFlipOptions {
  /**
   * Which bodies are damaged: every `every`-th request with a body of each method (PATCH, POST),
   * starting with the first, at most `maxPerMethod` of each (so a run converges). Which request that
   * is depends on the order they arrive over the parallel connections; where the bit is, on `seed`.
   */
  every: number
  maxPerMethod: number
  seed: number
}

/**
 * Forwards to `target` over its own connections (one per client request), flipping ONE random bit at
 * a random position of some request bodies (PATCH and creation POST): a faulty NIC, proxy or RAM.
 * Request trailers (checksum-trailer) are forwarded after the body, as they arrived. Body lengths
 * come from Content-Length, or for a chunked body from the upload's length learned from its
 * creation (Upload-Length minus Upload-Offset).
 */
export async function startBitFlipProxy(target: string, o: BitFlipOptions): Promise<BitFlipProxy> {
  const to = new URL(target)
  const random = seededRandom(o.seed)
  const flipped: FlippedRequest[] = []
  const statuses: number[] = []
  const lengths = new Map<string, number>()
  const bodies = new Map<string, number>()
  const agent = new http.Agent({ keepAlive: false })
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/'
    const declared = req.headers['content-length']
    let bodyLength = declared === undefined ? undefined : Number(declared)
    if (bodyLength === undefined && req.headers['upload-offset'] !== undefined) {
      const total = lengths.get(path)
      if (total !== undefined) bodyLength = total - Number(req.headers['upload-offset'])
    }
    let flip: FlippedRequest | undefined
    const method = req.method ?? ''
    const nth = bodies.get(method) ?? 0
    const hasBody = (method === 'PATCH' || method === 'POST') && bodyLength !== undefined && bodyLength > 0
    if (hasBody) bodies.set(method, nth + 1)
    if (hasBody && nth % o.every === 0 && nth / o.every < o.maxPerMethod) {
      flip = {
        method,
        path,
        at: Math.floor(random() * (bodyLength as number)),
        bit: Math.floor(random() * 8),
        status: null,
      }
      flipped.push(flip)
    }
    const upstream = http.request(
      { host: to.hostname, port: to.port, method: req.method, path, headers: req.headers, agent },
      (answer) => {
        const status = answer.statusCode ?? 502
        statuses.push(status)
        if (flip) flip.status = status
        const headers = { ...answer.headers }
        if (headers.location) {
          // Locations point at the server; the client keeps talking to the proxy.
          headers.location = headers.location.replace(to.origin, origin)
          const length = req.headers['upload-length']
          if (length !== undefined) lengths.set(new URL(headers.location, origin).pathname, Number(length))
        }
        res.writeHead(status, headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => res.destroy())
    req.on('error', () => upstream.destroy())
    let seen = 0
    req.on('data', (chunk: Buffer) => {
      if (flip && flip.at >= seen && flip.at < seen + chunk.length) {
        const copy = Buffer.from(chunk)
        copy[flip.at - seen] = (copy[flip.at - seen] as number) ^ (1 << flip.bit)
        chunk = copy
      }
      seen += chunk.length
      if (!upstream.write(chunk)) {
        req.pause()
        upstream.once('drain', () => req.resume())
      }
    })
    req.on('end', () => {
      if (req.rawTrailers.length > 0) upstream.addTrailers(trailerPairs(req.rawTrailers))
      upstream.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    endpoint: `${origin}${to.pathname}`,
    flipped,
    statuses,
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      agent.destroy()
    },
  }
}
