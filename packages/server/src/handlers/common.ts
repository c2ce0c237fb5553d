import type { IncomingMessage } from 'node:http'
import {
  type ChecksumAlgorithm,
  isChecksumAlgorithm,
  PATCH_CONTENT_TYPE,
  parseChecksumHeader,
  parseNonNegativeInt,
  TusError,
} from '@shuttle/protocol'
import type { UploadInfo } from '../types.js'
import type { HandlerContext } from './context.js'

/** One header value; Node joins repeated headers with ', ', which the parsers then reject. */
export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name]
  return Array.isArray(v) ? v.join(', ') : v
}

export function isOffsetStream(req: IncomingMessage): boolean {
  const type = header(req, 'content-type')?.split(';')[0]?.trim().toLowerCase()
  return type === PATCH_CONTENT_TYPE
}

/** Content-Length when sent, else undefined (chunked transfer encoding). */
export function contentLength(req: IncomingMessage): number | undefined {
  const v = header(req, 'content-length')
  return v === undefined ? undefined : parseNonNegativeInt(v, 'Content-Length')
}

/** Whether the request carries body bytes (or might: chunked). */
export function hasBody(req: IncomingMessage): boolean {
  const length = contentLength(req)
  return length === undefined ? header(req, 'transfer-encoding') !== undefined : length > 0
}

export function parseUploadChecksum(
  req: IncomingMessage,
): { algorithm: ChecksumAlgorithm; digest: Uint8Array } | undefined {
  const v = header(req, 'upload-checksum')
  if (v === undefined) return undefined
  const { algorithm, digest } = parseChecksumHeader(v)
  if (!isChecksumAlgorithm(algorithm)) {
    throw new TusError(
      'ERR_CHECKSUM_UNSUPPORTED',
      400,
      `Upload-Checksum algorithm "${algorithm.slice(0, 20)}" is not supported; use sha1, sha256 or md5`,
    )
  }
  return { algorithm, digest }
}

export function isFinished(upload: UploadInfo): boolean {
  return upload.size !== undefined && upload.offset === upload.size
}

/**
 * When an unfinished upload expires: the window set at creation, counted from its last stored
 * byte, so an upload that keeps sending never expires mid-transfer; only idle ones do.
 */
export function expiresAtOf(upload: UploadInfo): number | undefined {
  if (upload.expiresAt === undefined) return undefined
  return upload.expiresAt + Math.max(0, upload.lastWriteAt - upload.createdAt)
}

export function isExpired(upload: UploadInfo, now = Date.now()): boolean {
  const at = expiresAtOf(upload)
  return at !== undefined && !isFinished(upload) && at <= now
}

export function assertNotExpired(upload: UploadInfo): void {
  if (isExpired(upload)) {
    throw new TusError('ERR_GONE', 410, `Upload ${upload.id} expired; create a new upload`)
  }
}

/** Upload-Expires for unfinished uploads that have an expiry (RFC 9110 date). */
export function expiresHeader(upload: UploadInfo): Record<string, string> {
  const at = expiresAtOf(upload)
  return at !== undefined && !isFinished(upload) ? { 'Upload-Expires': new Date(at).toUTCString() } : {}
}

/** Runs `fn` while holding the upload's lock; 423 when the lock is not free within lockTimeout. */
export async function withLock<T>(
  ctx: HandlerContext,
  requestRelease: () => void,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = ctx.options.locker.newLock(ctx.id)
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(ctx.options.lockTimeout)])
  try {
    await lock.lock(signal, requestRelease)
  } catch (err) {
    throw new TusError(
      'ERR_LOCKED',
      423,
      `Upload ${ctx.id} is busy with another request; retry in a moment`,
      { cause: err },
    )
  }
  try {
    return await fn()
  } finally {
    await lock.unlock()
  }
}

/** Runs the finish hook and event once the last byte is stored. */
export async function finish(ctx: HandlerContext, upload: UploadInfo): Promise<void> {
  await ctx.options.onUploadFinish?.(ctx.req, upload)
  ctx.emit('upload-finished', { upload })
}
