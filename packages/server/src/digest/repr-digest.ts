import type { IncomingMessage } from 'node:http'
import type { UploadInfo } from '../types.js'
import { isFinished } from '../upload-state.js'
import type { ContentDigests } from './content-digests.js'

/**
 * `Repr-Digest: sha-256=:<base64>:` (RFC 9530, a structured-field byte sequence) for a finished
 * upload, from the bytes the store holds; nothing for unfinished ones or stores that cannot read
 * their bytes back.
 */
export async function reprDigestHeader(
  digests: ContentDigests | undefined,
  upload: UploadInfo,
): Promise<Record<string, string>> {
  if (digests === undefined || !isFinished(upload)) return {}
  const digest = await digests.finished(upload)
  return { 'Repr-Digest': `sha-256=:${Buffer.from(digest).toString('base64')}:` }
}

/**
 * Whether a write's client wants the upload's digest: it sent `Want-Repr-Digest` (RFC 9530) or
 * checks its bytes (Upload-Checksum, in a header or a trailer). Only then does the server hash the
 * bytes as they arrive and answer the finishing request with Repr-Digest, so clients that verify
 * nothing (tus-js-client, @tus/server's) cost the server no hashing on the write path.
 */
export function wantsDigest(req: IncomingMessage): boolean {
  const want = req.headers['want-repr-digest']
  // `sha-256=0` (RFC 9530: not wanted): a client that checks the upload by its content identity
  // (Upload-Identity, confirmed at completion) spares the server a second hash of every byte.
  if (typeof want === 'string' && /^\s*sha-256\s*=\s*0\s*$/i.test(want)) return false
  return (
    want !== undefined || req.headers['upload-checksum'] !== undefined || req.headers.trailer !== undefined
  )
}

/** Repr-Digest for the request that finished an upload, when its client wants it. */
export function finishingDigestHeader(
  req: IncomingMessage,
  digests: ContentDigests | undefined,
  upload: UploadInfo,
): Promise<Record<string, string>> {
  return wantsDigest(req) ? reprDigestHeader(digests, upload) : Promise.resolve({})
}
