import type { IncomingMessage } from 'node:http'
import { parseChecksumHeader, TusError } from '@shuttle/protocol'

/**
 * checksum-trailer: a body streamed in one request, whose checksum the client knows only once the
 * last byte went out, announces `Trailer: Upload-Checksum` and sends the checksum after the body
 * (chunked transfer encoding). The server hashes what arrives with SHA-256 (the algorithm is needed
 * before the first byte), so the trailer must be `Upload-Checksum: sha256 <base64>`.
 */
export function declaresChecksumTrailer(req: IncomingMessage): boolean {
  const trailer = req.headers.trailer
  if (trailer === undefined) return false
  return trailer
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .includes('upload-checksum')
}

/** The trailer's digest once the body ended; undefined when the client did not send it. */
export function trailerDigest(req: IncomingMessage): Uint8Array | undefined {
  const value = req.trailers['upload-checksum']
  if (value === undefined) return undefined
  const { algorithm, digest } = parseChecksumHeader(value)
  if (algorithm !== 'sha256') {
    throw new TusError(
      'ERR_CHECKSUM_UNSUPPORTED',
      400,
      `An Upload-Checksum trailer must be sha256 (the server hashes the body as it arrives), not "${algorithm.slice(0, 20)}"; none of the body was kept`,
    )
  }
  return digest
}
