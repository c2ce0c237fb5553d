import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import {
  HttpError,
  isUploadError,
  STATUS_CHECKSUM_MISMATCH,
  TUS_RESUMABLE,
  TUS_VERSION,
} from '@shuttle/protocol'
import type { ByteSource, Logger } from './types.js'

/** What a handler answers; the server adds Tus-Resumable and CORS headers and sends it. */
export interface Reply {
  status: number
  headers?: Record<string, string>
  /** A string is sent as text/plain; a byte stream is piped (GET downloads). */
  body?: string | ByteSource
}

/** What an error becomes on the wire, before each route formats the body (text for tus, JSON for S3). */
export interface ErrorAnswer {
  status: number
  headers: Record<string, string>
  message: string
}

/**
 * The one place errors become answers, for the tus handler and the S3 signing routes alike.
 * HttpErrors (TusError included) keep their status, headers and message (5xx ones are logged);
 * a lock timeout is 423; anything unexpected is logged and becomes a generic 500, so internals
 * never leak to clients.
 */
export function describeError(err: unknown, req: IncomingMessage, logger: Logger): ErrorAnswer {
  if (err instanceof HttpError) {
    // The server's own trouble (out of space, storage failing) is the operator's business too;
    // damaged uploads are reported once per upload by the server instead; a drain's 503s are expected.
    if (err.status >= 500 && err.code !== 'ERR_DAMAGED' && err.code !== 'ERR_SHUTTING_DOWN') {
      logger.error(`${req.method} ${req.url}: ${err.message}`, err.cause)
    }
    const headers = { ...err.headers }
    if (err.code === 'ERR_TUS_VERSION') headers['Tus-Version'] = TUS_VERSION.join(',')
    return { status: err.status, headers, message: err.message }
  }
  if (isUploadError(err) && err.code === 'ERR_LOCK_TIMEOUT') {
    return {
      status: 423,
      headers: {},
      message: 'The upload is busy with another request. Retry in a moment.',
    }
  }
  logger.error(`${req.method} ${req.url} failed unexpectedly`, err)
  return {
    status: 500,
    headers: {},
    message: 'Internal server error. Retry later; HEAD the upload to learn its offset.',
  }
}

/** The tus handler's error reply: a text body. */
export function toReply(err: unknown, req: IncomingMessage, logger: Logger): Reply {
  const { status, headers, message } = describeError(err, req, logger)
  return { status, headers, body: message }
}

// Node knows no reason phrase for tus's own status.
const REASONS: Record<number, string> = { [STATUS_CHECKSUM_MISMATCH]: 'Checksum Mismatch' }

// Lingering on a body nobody reads (nginx's lingering_time / lingering_timeout): at most this long
// in all, and no longer than this once the client pauses. A body announced larger than
// LINGER_MAX_BYTES is not drained at all: its answer comes with `Connection: close` at once.
const LINGER_MAX_MS = 5000
const LINGER_IDLE_MS = 1000
const LINGER_MAX_BYTES = 64 * 1024 * 1024

/**
 * An answer given before the request body was read (409, 423, 413, …) must not be lost. Closing the
 * socket while the client still sends makes the kernel reset the connection, and the client then
 * sees a network error (EPIPE, ECONNRESET) instead of the status that says what to do. So the rest
 * of the body is read and thrown away, within the limits above: on a keep-alive connection after
 * the answer (it is sent at once, the connection stays usable); when the client asked to close,
 * before the answer (Node closes right after it). A client that goes on past the limits is cut off.
 */
function answerOverUnreadBody(
  req: IncomingMessage,
  res: ServerResponse,
  answer: (close: boolean) => void,
): void {
  const declared = Number(req.headers['content-length'] ?? Number.NaN)
  if (declared > LINGER_MAX_BYTES) {
    answer(true)
    return
  }
  const drain = (then: () => void) => {
    let done = false
    const finish = () => {
      if (done) return
      done = true
      clearTimeout(total)
      clearTimeout(idle)
      req.off('data', onData)
      then()
    }
    const total = setTimeout(finish, LINGER_MAX_MS)
    let idle = setTimeout(finish, LINGER_IDLE_MS)
    const onData = () => {
      clearTimeout(idle)
      idle = setTimeout(finish, LINGER_IDLE_MS)
    }
    req.on('data', onData)
    req.once('end', finish)
    req.once('close', finish)
    req.resume()
  }
  if (clientCloses(req)) {
    drain(() => {
      if (!res.destroyed) answer(!req.complete)
    })
    return
  }
  answer(false)
  res.once('finish', () => {
    if (!req.complete) drain(() => !req.complete && req.socket?.destroy())
  })
}

function clientCloses(req: IncomingMessage): boolean {
  const connection = req.headers.connection ?? ''
  return req.httpVersion === '1.0' ? !/keep-alive/i.test(connection) : /close/i.test(connection)
}

/** Sends a reply; a request body nobody read is drained around it (see answerOverUnreadBody). */
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
    ...headerSafe(reply.headers),
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
  const declared = req.headers['content-length']
  const bodyExpected =
    (declared !== undefined && declared !== '0') || req.headers['transfer-encoding'] !== undefined
  if (bodyExpected && !req.complete && !req.destroyed) {
    answerOverUnreadBody(req, res, (close) => {
      if (close) headers.Connection = 'close'
      writeReply(req, res, reply.status, headers, body)
    })
    return
  }
  writeReply(req, res, reply.status, headers, body)
}

// What Node refuses in a header value (it throws, and the client would get a reset, not the answer).
const INVALID_HEADER_CHAR = /[^\t\x20-\x7e\x80-\xff]/

/**
 * Header values a hook or an error supplied, made sendable: a character HTTP cannot carry (a
 * typographic apostrophe in a message, a newline) becomes '?', so the status still reaches the client.
 */
function headerSafe(headers: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!headers) return headers
  let safe: Record<string, string> | undefined
  for (const [name, value] of Object.entries(headers)) {
    if (!INVALID_HEADER_CHAR.test(value)) continue
    safe ??= { ...headers }
    safe[name] = value.replace(new RegExp(INVALID_HEADER_CHAR.source, 'g'), '?')
  }
  return safe ?? headers
}

function writeReply(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number>,
  body: Reply['body'],
): void {
  const reason = REASONS[status]
  if (reason) res.writeHead(status, reason, headers)
  else res.writeHead(status, headers)
  if (body === undefined || typeof body === 'string' || req.method === 'HEAD') {
    if (body instanceof Readable) body.destroy()
    res.end(typeof body === 'string' ? body : undefined)
    return
  }
  pipeline(body, res).catch(() => {
    // The client went away mid-download; both streams are destroyed by pipeline.
  })
}
