import type { IncomingMessage } from 'node:http'
import {
  type ChecksumAlgorithm,
  isChecksumAlgorithm,
  PATCH_CONTENT_TYPE,
  parseChecksumHeader,
  parseNonNegativeInt,
  TusError,
} from '@shuttle/protocol'

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
      `Upload-Checksum algorithm "${algorithm.slice(0, 20)}" is not supported; use sha1, sha256, md5 or sha256-4m`,
    )
  }
  return { algorithm, digest }
}
