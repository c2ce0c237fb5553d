import type { IncomingMessage } from 'node:http'
import {
  type ChecksumAlgorithm,
  isChecksumAlgorithm,
  PATCH_CONTENT_TYPE,
  parseChecksumHeader,
  parseNonNegativeInt,
  TusError,
} from '@shuttle/protocol'
import { storeChecksums } from '../digest/checksum-hash.js'
import type { DataStore } from '../types.js'

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

/**
 * Upload-Checksum, in an algorithm the store verifies (as Tus-Checksum-Algorithm lists them); else
 * 400. A store without the checksum extension never sees it: the server does not offer checksums then.
 */
export function parseUploadChecksum(
  req: IncomingMessage,
  store: DataStore,
): { algorithm: ChecksumAlgorithm; digest: Uint8Array } | undefined {
  const v = header(req, 'upload-checksum')
  if (v === undefined || !store.extensions.has('checksum')) return undefined
  const { algorithm, digest } = parseChecksumHeader(v)
  const accepted = storeChecksums(store)
  if (!isChecksumAlgorithm(algorithm) || !accepted.includes(algorithm)) {
    throw new TusError(
      'ERR_CHECKSUM_UNSUPPORTED',
      400,
      `Upload-Checksum algorithm "${algorithm.slice(0, 20)}" is not supported here; use ${accepted.join(', ')} (as Tus-Checksum-Algorithm lists them)`,
    )
  }
  return { algorithm, digest }
}
