const kUploadError = Symbol.for('shuttle.upload.error')

/**
 * Stable, machine-readable error codes shared by client and server.
 * Retry decisions read `retryable`; nothing ever parses a message.
 */
export type UploadErrorCode =
  // client side
  | 'ERR_NETWORK'
  /** A browser request got no readable answer although the server answers a probe: CORS refused it, or the connection was reset. */
  | 'ERR_BLOCKED'
  | 'ERR_HTTP_STATUS'
  | 'ERR_OFFSET_MISMATCH'
  | 'ERR_ABORTED'
  | 'ERR_STALLED'
  | 'ERR_INVALID_TRANSITION'
  | 'ERR_INVALID_OPTIONS'
  | 'ERR_SOURCE_READ'
  | 'ERR_SOURCE_CHANGED'
  | 'ERR_AUTH_EXPIRED'
  | 'ERR_UNKNOWN_FILE'
  // shared by both sides and by the server's responses
  | 'ERR_NOT_FOUND'
  | 'ERR_GONE'
  | 'ERR_LOCK_TIMEOUT'
  | 'ERR_LOCKED'
  | 'ERR_TUS_VERSION'
  | 'ERR_INVALID_HEADER'
  | 'ERR_CONTENT_TYPE'
  | 'ERR_TOO_LARGE'
  | 'ERR_LENGTH_EXCEEDED'
  | 'ERR_CHECKSUM_MISMATCH'
  /** The server's digest of the bytes it stored (Repr-Digest) is not the file's. */
  | 'ERR_DIGEST_MISMATCH'
  | 'ERR_CHECKSUM_UNSUPPORTED'
  | 'ERR_METADATA'
  | 'ERR_CONCAT'
  | 'ERR_EXTENSION_UNSUPPORTED'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_FORBIDDEN'
  | 'ERR_UNAUTHORIZED'
  | 'ERR_HOOK_REJECTED'
  | 'ERR_FINISHED'
  | 'ERR_INCOMPLETE'
  | 'ERR_DAMAGED'
  | 'ERR_LEASE_LOST'
  /** The server is draining (graceful shutdown): 503, retry (another instance answers). */
  | 'ERR_SHUTTING_DOWN'
  // the server's trust layer: 429 rate limits, 403 stored-quota limits, 415 types a token refuses
  | 'ERR_RATE_LIMITED'
  | 'ERR_QUOTA_EXCEEDED'
  | 'ERR_TYPE_NOT_ALLOWED'
  // S3 multipart (direct uploads): an S3-compatible store or the signing server refused or failed
  | 'ERR_S3'
  | 'ERR_INTERNAL'

export interface UploadErrorOptions {
  cause?: unknown
  retryable?: boolean
}

/**
 * The one error base class of Shuttle. `code` is stable, `retryable` drives retry policy.
 *
 * @example
 * throw new UploadError('ERR_SOURCE_READ', 'Could not read bytes 0-1024 of video.mp4', { cause: err })
 */
export class UploadError extends Error {
  override name = 'UploadError'
  readonly [kUploadError] = true
  readonly code: UploadErrorCode
  readonly retryable: boolean

  constructor(code: UploadErrorCode, message: string, opts: UploadErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.code = code
    this.retryable = opts.retryable ?? false
  }

  // Cross-realm and duplicated-package-safe instanceof (undici's brand trick).
  // `this` is the subclass being tested against (biome.json turns noThisInStatic off here).
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      isUploadError(value) &&
      (this === UploadError || Function.prototype[Symbol.hasInstance].call(this, value))
    )
  }
}

export const isUploadError = (e: unknown): e is UploadError =>
  typeof e === 'object' && e !== null && (e as { [kUploadError]?: unknown })[kUploadError] === true

/** A server answered with an unexpected status. The response body is not in the message. */
export class HttpStatusError extends UploadError {
  override name = 'HttpStatusError'
  readonly status: number
  readonly method: string
  readonly url: string
  /** The server's explanation (response body, trimmed), for display; never parsed. */
  readonly serverMessage: string | undefined
  /** Milliseconds the server asked us to wait (its Retry-After), a floor for the retry delay. */
  readonly retryAfter: number | undefined

  constructor(
    status: number,
    method: string,
    url: string,
    opts: UploadErrorOptions & { serverMessage?: string; code?: UploadErrorCode; retryAfter?: number } = {},
  ) {
    super(opts.code ?? 'ERR_HTTP_STATUS', `${method} ${url} answered ${status}`, {
      cause: opts.cause,
      retryable: opts.retryable ?? isRetryableStatus(status),
    })
    this.status = status
    this.method = method
    this.url = url
    this.serverMessage = opts.serverMessage
    this.retryAfter = opts.retryAfter
  }
}

/** The request never got an answer: refused, reset, timed out. Always retryable. */
export class NetworkError extends UploadError {
  override name = 'NetworkError'
  constructor(message: string, opts: { cause?: unknown } = {}) {
    super('ERR_NETWORK', message, { cause: opts.cause, retryable: true })
  }
}

/**
 * The server's one HTTP error class: a status, a message the client can act on, and response
 * headers to send with it (e.g. `Location` after a failed creation-with-upload, `Retry-After`).
 * Every server route (tus handler, S3 signing routes) throws it; one function per server turns it
 * into a response.
 *
 * @example
 * throw new HttpError('ERR_FORBIDDEN', 403, 'You may not delete this upload')
 */
export class HttpError extends UploadError {
  override name = 'HttpError'
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  constructor(
    code: UploadErrorCode,
    status: number,
    message: string,
    opts: UploadErrorOptions & { headers?: Record<string, string> } = {},
  ) {
    super(code, message, { cause: opts.cause, retryable: opts.retryable ?? isRetryableStatus(status) })
    this.status = status
    this.headers = { ...opts.headers }
  }

  /** The same error with more response headers (a new object: errors are not mutated). */
  withHeaders(headers: Record<string, string>): HttpError {
    return new (this.constructor as typeof HttpError)(this.code, this.status, this.message, {
      cause: this.cause,
      retryable: this.retryable,
      headers: { ...this.headers, ...headers },
    })
  }
}

/**
 * An HttpError thrown by the tus handlers (the name tus users look for; same fields).
 *
 * @example
 * throw new TusError('ERR_NOT_FOUND', 404, 'Upload not found')
 */
export class TusError extends HttpError {
  override name = 'TusError'
}

/** Statuses worth retrying: server trouble, lock contention, rate limits, timeouts. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 423 || status === 429 || status === 408
}
