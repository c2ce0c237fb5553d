import type http from 'node:http'
import net from 'node:net'

/**
 * Graceful-shutdown half of an `http.Server`: stops accepting connections at once, closes those
 * that carry no request, and keeps those whose request is in progress or on its way, so that each
 * gets an answer (send it with `Connection: close`). Resolves once the last connection is gone;
 * `server.closeAllConnections()` cuts what a deadline should not wait for.
 *
 * Why not `server.close()` alone: it closes "idle" connections in the same instant, and from Node 26
 * on (nodejs/node#63470) a connection accepted just before, whose request headers are already in the
 * kernel but not yet read, counts as idle: it is reset and the client gets no answer. Here idle
 * connections close only after the event loop has read what had arrived when this was called.
 * Which connections are idle is Node's call: from Node 26 on also one that has sent nothing yet
 * (a browser's speculative connection); Node 20–24 keep that one until it sends or is cut.
 *
 * @example
 * process.once('SIGTERM', async () => {
 *   const closed = closeHttpServer(server)
 *   await tus.drain(10_000)
 *   server.closeAllConnections()
 *   await closed
 * })
 */
export function closeHttpServer(server: http.Server): Promise<void> {
  let emitted = false
  const closed = new Promise<void>((resolve) => {
    server.once('close', () => {
      emitted = true
      resolve()
    })
  })
  // The listening socket only (net.Server's close); http.Server's own close would also close idle
  // connections now. Called from a signal handler, whatever connected before the signal has been
  // accepted: libuv runs signal handlers after the other I/O callbacks of the same poll.
  net.Server.prototype.close.call(server)
  // A connection accepted in this loop turn starts reading in the next one: after that turn's poll,
  // bytes that had arrived have been parsed, and a half-sent request is no longer idle.
  setImmediate(() =>
    setImmediate(() => {
      // http.Server's close now closes the idle connections and stops its header-timeout timer; the
      // listening socket is closed already. Once 'close' was emitted (no connection left) it would
      // emit it twice, so then it is skipped.
      if (!emitted) server.close()
    }),
  )
  return closed
}
