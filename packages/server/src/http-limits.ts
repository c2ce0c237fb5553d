import http from 'node:http'

/**
 * Limits of the HTTP server in front of the tus handler: the handler cannot set them itself, the
 * `http.Server` owns its sockets. `shuttle serve` uses these defaults.
 */
export interface HttpLimits {
  /** Milliseconds a client has to send the request headers. Default 15 000. */
  readonly headersTimeout?: number
  /**
   * Milliseconds a connection may go without a byte either way (a stalled body, a reader that
   * stopped) before it is closed. Bytes that arrived are kept; the client resumes. Default 60 000.
   */
  readonly idleTimeout?: number
  /** Open connections at once; more are closed on arrival. Default 1000. */
  readonly maxConnections?: number
  /** Milliseconds an idle keep-alive connection stays open between requests. Default 65 000. */
  readonly keepAliveTimeout?: number
}

export const DEFAULT_HTTP_LIMITS: Readonly<Required<HttpLimits>> = {
  headersTimeout: 15_000,
  idleTimeout: 60_000,
  maxConnections: 1000,
  keepAliveTimeout: 65_000,
}

function resolved(limits: HttpLimits): Required<HttpLimits> {
  const out = { ...DEFAULT_HTTP_LIMITS, ...limits }
  for (const [key, v] of Object.entries(out)) {
    if (!Number.isSafeInteger(v) || v < 1) {
      throw new TypeError(`HTTP limit '${key}' must be a positive integer, got ${v}`)
    }
  }
  return out
}

/**
 * Options for `http.createServer` that cut slow headers on time: no total request timeout (an
 * upload body may take hours), headers within `headersTimeout`, checked every second at most (Node
 * checks every 30 s by default, so a 15 s limit would really be up to 45 s).
 */
export function httpServerOptions(limits: HttpLimits = {}): http.ServerOptions {
  const l = resolved(limits)
  return {
    requestTimeout: 0,
    headersTimeout: l.headersTimeout,
    keepAliveTimeout: l.keepAliveTimeout,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(l.headersTimeout / 4))),
  }
}

/** Sets the idle-socket timeout and the connection cap on a server (created with `httpServerOptions`). */
export function applyHttpLimits(server: http.Server, limits: HttpLimits = {}): http.Server {
  const l = resolved(limits)
  server.maxConnections = l.maxConnections
  // With no 'timeout' listener Node destroys the idle socket.
  server.setTimeout(l.idleTimeout)
  return server
}

/**
 * An `http.Server` for a request handler with the limits above on.
 *
 * @example
 * const tus = createTusServer({ directory: './uploads', maxSize: 10 * 2 ** 30 })
 * createHttpServer(tus.handle, { headersTimeout: 10_000 }).listen(1080, '127.0.0.1')
 */
export function createHttpServer(handler: http.RequestListener, limits: HttpLimits = {}): http.Server {
  return applyHttpLimits(http.createServer(httpServerOptions(limits), handler), limits)
}
