import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { isUploadError, TUS_RESUMABLE, TUS_VERSION, TusError } from '@shuttle/protocol'
import type { Logger } from './types.js'

/** What a handler answers; the server adds Tus-Resumable and CORS headers and sends it. */
export interface Reply {
  status: number
  headers?: Record<string, string>
  /** A string is sent as text/plain; a stream is piped (GET downloads). */
  body?: string | Readable
}

const kHeaders = Symbol('shuttle.reply.headers')

/** Adds response headers to an error on its way to toReply (e.g. Location after a failed creation-with-upload). */
export function withReplyHeaders(err: unknown, headers: Record<string, string>): unknown {
  if (typeof err === 'object' && err !== null) Object.assign(err, { [kHeaders]: headers })
  return err
}

/**
 * The one place errors become responses. TusErrors keep their status and message; anything
 * unexpected is logged and becomes a generic 500, so internals never leak to clients.
 */
export function toReply(err: unknown, req: IncomingMessage, logger: Logger): Reply {
  if (err instanceof TusError) {
    const headers = { ...(err as { [kHeaders]?: Record<string, string> })[kHeaders] }
    if (err.code === 'ERR_TUS_VERSION') headers['Tus-Version'] = TUS_VERSION.join(',')
    return { status: err.status, headers, body: err.message }
  }
  if (isUploadError(err) && err.code === 'ERR_LOCK_TIMEOUT') {
    return { status: 423, body: 'The upload is busy with another request. Retry in a moment.' }
  }
  logger.error(`${req.method} ${req.url} failed unexpectedly`, err)
  return { status: 500, body: 'Internal server error. Retry later; HEAD the upload to learn its offset.' }
}

/** Sends a reply. A request whose body was not read to the end gets `Connection: close`. */
export function send(
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  extraHeaders: Record<string, string>,
): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  const headers: Record<string, string | number> = {
    'Tus-Resumable': TUS_RESUMABLE,
    ...extraHeaders,
    ...reply.headers,
  }
  const body = reply.body
  if (typeof body === 'string') {
    headers['Content-Type'] = 'text/plain; charset=utf-8'
    headers['Content-Length'] = Buffer.byteLength(body)
    headers['X-Content-Type-Options'] = 'nosniff'
  } else if (body === undefined && reply.status !== 204 && reply.status !== 304 && req.method !== 'HEAD') {
    // An empty 201/200 says so, instead of an empty chunked body.
    headers['Content-Length'] = 0
  }
  // Reading the rest of an unwanted body could take long; closing is cheaper and safe.
  const declared = req.headers['content-length']
  const bodyExpected =
    (declared !== undefined && declared !== '0') || req.headers['transfer-encoding'] !== undefined
  if (bodyExpected && !req.complete) headers.Connection = 'close'
  res.writeHead(reply.status, headers)
  if (body === undefined || typeof body === 'string' || req.method === 'HEAD') {
    if (body !== undefined && typeof body !== 'string') body.destroy()
    res.end(typeof body === 'string' ? body : undefined)
    return
  }
  pipeline(body, res).catch(() => {
    // The client went away mid-download; both streams are destroyed by pipeline.
  })
}
