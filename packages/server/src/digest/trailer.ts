import type { IncomingMessage } from 'node:http'
import { type ChecksumAlgorithm, parseChecksumHeader, TusError } from '@shuttle/protocol'

/**
 * checksum-trailer: a body streamed in one request, whose checksum the client knows only once the
 * last byte went out, announces `Trailer: Upload-Checksum` and sends the checksum after the body
 * (chunked transfer encoding). The server hashes what arrives as it arrives, so the algorithm is
 * needed before the first byte: sha256, unless the request announces `Upload-Checksum-Trailer:
 * sha256-4m` (a client that knows the body's sha256-4m from its content identity before sending; the
 * server gets it from the identity's block digests). A trailer must use the announced algorithm.
 */
export function declaresChecksumTrailer(req: IncomingMessage): boolean {
  const trailer = req.headers.trailer
  if (trailer === undefined) return false
  return trailer
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .includes('upload-checksum')
}

/**
 * The algorithm the trailer will use: sha256, or what `Upload-Checksum-Trailer` announces, which
 * must be one the store verifies (`accepted`, as Tus-Checksum-Algorithm lists them).
 */
export function trailerAlgorithm(
  req: IncomingMessage,
  accepted: readonly ChecksumAlgorithm[],
): 'sha256' | 'sha256-4m' {
  const announced = req.headers['upload-checksum-trailer']
  if (announced === undefined) return 'sha256'
  const name = String(announced).trim().toLowerCase()
  if (name === 'sha256' || (name === 'sha256-4m' && accepted.includes(name))) return name
  throw new TusError(
    'ERR_CHECKSUM_UNSUPPORTED',
    400,
    `Upload-Checksum-Trailer announces "${name.slice(0, 20)}"; a trailer checksum here is ${accepted.includes('sha256-4m') ? 'sha256 or sha256-4m' : 'sha256'}`,
  )
}

/** The trailer's digest once the body ended; undefined when the client did not send it. */
export function trailerDigest(
  req: IncomingMessage,
  expected: 'sha256' | 'sha256-4m' = 'sha256',
): Uint8Array | undefined {
  const value = req.trailers['upload-checksum']
  if (value === undefined) return undefined
  const { algorithm, digest } = parseChecksumHeader(value)
  if (algorithm !== expected) {
    throw new TusError(
      'ERR_CHECKSUM_UNSUPPORTED',
      400,
      `An Upload-Checksum trailer must be ${expected} (the server hashes the body as it arrives${expected === 'sha256' ? '; announce another with Upload-Checksum-Trailer' : ', as Upload-Checksum-Trailer announced'}), not "${algorithm.slice(0, 20)}"; none of the body was kept`,
    )
  }
  return digest
}
