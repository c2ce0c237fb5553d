import {
  encodeBase64,
  formatIdentity,
  formatProof,
  HttpStatusError,
  PATCH_CONTENT_TYPE,
  parseChallenge,
  parseIdentity,
  UploadError,
} from '@shuttle/protocol'
import type { HttpResponse } from '../../ports.js'
import { isSuccess, statusError } from '../http.js'
import type { TransportContext, TransportResult } from '../transport.js'
import { readOffset, type ServerCapabilities, tusHeaders } from './tus-http.js'

// Instant upload (tus extension `instant-upload`, see @shuttle/protocol's identity.ts): the creation
// declares the file's content identity; a server that already holds those bytes challenges the
// client to prove it has them (a hash over a nonce and random ranges), and on a right proof the
// upload is finished with no byte sent.

/**
 * The identity to declare: only to a server that offers instant-upload (others get no identity
 * header and cost nothing), and only for a file with bytes (an empty one is finished by its POST).
 */
export async function identityFor(
  ctx: TransportContext,
  caps: ServerCapabilities | undefined,
): Promise<Uint8Array | undefined> {
  if (ctx.size === 0 || !caps?.extensions.has('instant-upload')) return undefined
  // Hashed by the engine in `preparing` when `wantsIdentity` said so (or kept in the checkpoint).
  return ctx.identity
}

export const identityHeaders = (identity: Uint8Array) => ({ 'Upload-Identity': formatIdentity(identity) })

/**
 * Answers the creation's `Upload-Challenge`, if any. Resolves with the finished result when the
 * server accepted the proof; undefined when there was no (usable) challenge or the proof was refused
 * (403): the caller then uploads the bytes as usual, from offset 0.
 */
export async function proveIfChallenged(
  ctx: TransportContext,
  url: string,
  created: HttpResponse,
  identity: Uint8Array,
): Promise<TransportResult | undefined> {
  const raw = created.header('upload-challenge')
  const challenge = raw === undefined ? undefined : parseChallenge(raw, ctx.size)
  if (challenge === undefined) return undefined
  const hash = await ctx.options.sha256()
  hash.update(challenge.nonce)
  // Read at once, hashed in order: 16 small reads, each a round trip to the browser process (or
  // libuv's pool) when one after the other; parseChallenge took at most CHALLENGE_MAX_BYTES.
  const parts = await Promise.all(
    challenge.ranges.map((r) => ctx.source.read(r.start, r.end + 1, { once: true })),
  )
  for (const bytes of parts) hash.update(bytes)
  let res: HttpResponse
  try {
    res = await ctx.send({
      method: 'PATCH',
      url,
      headers: tusHeaders({
        'Upload-Offset': '0',
        'Content-Type': PATCH_CONTENT_TYPE,
        'Upload-Proof': formatProof(hash.digest()),
      }),
    })
  } catch (err) {
    if (err instanceof HttpStatusError && err.status === 403) return undefined
    throw err
  }
  if (!isSuccess(res.status)) throw statusError(res, 'PATCH', url)
  if (readOffset(res, 'PATCH', url) !== ctx.size) return undefined
  const confirmed = parseIdentity(res.header('upload-identity') ?? '')
  if (typeof confirmed === 'string' || encodeBase64(confirmed) !== encodeBase64(identity)) {
    throw new UploadError(
      'ERR_DIGEST_MISMATCH',
      `The server finished ${url} from a stored copy but did not confirm this file's identity; delete it and upload the file again.`,
      { retryable: false },
    )
  }
  ctx.confirmed(ctx.size)
  return { url, instant: true, identity: { algorithm: 'sha256-4m', digest: encodeBase64(confirmed) } }
}
