import net from 'node:net'
import { MiB, seededRandom } from './files.js'

export interface FlakyProxy {
  readonly origin: string
  /** Same path as the target endpoint, on the proxy. */
  readonly endpoint: string
  /** Connections cut so far (mid-request, or dropping a response), at most maxCuts. */
  readonly cuts: number
  /** Of those cuts, how many dropped a response. */
  readonly droppedResponses: number
  readonly connections: number
  /** Bytes received from clients (request lines, headers and bodies). */
  readonly bytesIn: number
  close(): Promise<void>
}

export interface FlakyProxyOptions {
  readonly seed: number
  /** Stop cutting after this many cuts, so every upload can finish. */
  readonly maxCuts: number
  readonly minBytes?: number
  readonly maxBytes?: number
  /**
   * Chance (0-1) that a chunk of response bytes is dropped by cutting the connection before it
   * reaches the client: the server acted on the request, the client never hears of it.
   */
  readonly dropResponseRate?: number
}

/**
 * A TCP proxy on 127.0.0.1 that forwards to `targetEndpoint`'s host and cuts each connection
 * (both directions, abruptly) once the client has sent a random number of bytes between
 * `minBytes` and `maxBytes`, drawn from a seeded PRNG, until `maxCuts` is reached.
 */
export async function startFlakyProxy(
  targetEndpoint: string,
  options: FlakyProxyOptions,
): Promise<FlakyProxy> {
  const target = new URL(targetEndpoint)
  const random = seededRandom(options.seed)
  const min = options.minBytes ?? 256 * 1024
  const max = options.maxBytes ?? 8 * MiB
  const sockets = new Set<net.Socket>()
  let cuts = 0
  let connections = 0
  let bytesIn = 0
  let droppedResponses = 0
  const dropRate = options.dropResponseRate ?? 0

  const server = net.createServer((client) => {
    connections++
    const upstream = net.connect(Number(target.port), target.hostname)
    sockets.add(client).add(upstream)
    const budget =
      cuts < options.maxCuts ? min + Math.floor(random() * (max - min)) : Number.POSITIVE_INFINITY
    let sent = 0
    let cutting = false
    const kill = () => {
      client.destroy()
      upstream.destroy()
    }
    client.on('data', (data: Buffer) => {
      if (cutting) return
      bytesIn += data.length
      if (sent + data.length > budget && cuts < options.maxCuts) {
        upstream.write(data.subarray(0, Math.max(0, budget - sent)), () => {
          cuts++
          client.resetAndDestroy()
          upstream.resetAndDestroy()
        })
        cutting = true
        client.pause()
        return
      }
      sent += data.length
      if (!upstream.write(data)) {
        client.pause()
        upstream.once('drain', () => client.resume())
      }
    })
    client.on('end', () => upstream.end())
    upstream.on('data', (data: Buffer) => {
      if (cutting) return
      if (dropRate > 0 && cuts < options.maxCuts && random() < dropRate) {
        cutting = true
        cuts++
        droppedResponses++
        client.resetAndDestroy()
        upstream.resetAndDestroy()
        return
      }
      if (!client.write(data)) {
        upstream.pause()
        client.once('drain', () => upstream.resume())
      }
    })
    upstream.on('end', () => client.end())
    client.on('error', kill)
    upstream.on('error', kill)
    client.on('close', () => {
      sockets.delete(client)
      upstream.destroy()
    })
    upstream.on('close', () => {
      sockets.delete(upstream)
      client.destroy()
    })
  })

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    endpoint: `${origin}${target.pathname}`,
    get cuts() {
      return cuts
    },
    get connections() {
      return connections
    },
    get droppedResponses() {
      return droppedResponses
    },
    get bytesIn() {
      return bytesIn
    },
    async close() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
