import { createHash, timingSafeEqual } from 'node:crypto'
import {
  encodeBase64,
  formatChallenge,
  formatIdentity,
  HttpError,
  IDENTITY_ALGORITHM,
  parseIdentity,
  parseProof,
  STATUS_CHECKSUM_MISMATCH,
  TusError,
} from '@shuttle/protocol'
import type { HandlerContext } from '../handlers/context.js'
import { header } from '../handlers/request-headers.js'
import type { NormalizedOptions } from '../options.js'
import type { Lease, UploadInfo } from '../types.js'
import { IdentityHash } from './block-hash.js'

/** The server offers `instant-upload`: not turned off, and the store has the `identity` capability. */
export function instantUploadOffered(options: Pick<NormalizedOptions, 'instantUpload' | 'store'>): boolean {
  return options.instantUpload !== false && options.store.extensions.has('identity')
}

/**
 * The identity a creation declares (Upload-Identity), as lower-case hex; undefined when none, or
 * when this server does not offer instant-upload (then the header is ignored, like any unknown one).
 */
export function declaredIdentity(ctx: HandlerContext, size: number | undefined): string | undefined {
  const value = header(ctx.req, 'upload-identity')
  if (value === undefined || !instantUploadOffered(ctx.options)) return undefined
  const parsed = parseIdentity(value)
  if (typeof parsed === 'string') throw new TusError('ERR_INVALID_HEADER', 400, parsed)
  if (size === undefined) {
    throw new TusError(
      'ERR_INVALID_HEADER',
      400,
      'Upload-Identity needs Upload-Length: declare the length at creation',
    )
  }
  if (header(ctx.req, 'upload-concat') !== undefined) {
    throw new TusError(
      'ERR_INVALID_HEADER',
      400,
      'Upload-Identity is for whole files; drop it from Upload-Concat requests',
    )
  }
  return Buffer.from(parsed).toString('hex')
}

/** Whose finished uploads a creation may match: the token subject's, or anyone's (undefined). */
function scopeOwner(ctx: HandlerContext): string | undefined {
  const o = ctx.options.instantUpload
  if (o !== false && o?.scope === 'global') return undefined
  return ctx.token?.sub
}

/**
 * For a new empty upload that declared an identity: when a finished upload with that identity and
 * length is in the caller's scope, an `Upload-Challenge` for the client to prove it holds the bytes.
 */
export async function offerChallenge(
  ctx: HandlerContext,
  upload: UploadInfo,
): Promise<Record<string, string>> {
  const { store } = ctx.options
  if (upload.identity === undefined || !upload.size || !ctx.challenges) return {}
  const source = await store.findFinishedByIdentity!(upload.identity, upload.size, scopeOwner(ctx))
  if (source === undefined) return {}
  const challenge = ctx.challenges.issue(upload.id, source.id, upload.size)
  return { 'Upload-Challenge': formatChallenge(challenge) }
}

/**
 * A PATCH carrying `Upload-Proof`, under the upload's lock. Right: the upload shares the stored
 * bytes and is finished (204, full offset). Wrong, expired, already answered or its source gone:
 * 403 with a sentence; the upload stays empty at offset 0 for a normal upload.
 */
export async function answerProof(
  ctx: HandlerContext,
  upload: UploadInfo,
  lease: Lease,
): Promise<UploadInfo> {
  const { store } = ctx.options
  const proof = parseProof(header(ctx.req, 'upload-proof') ?? '')
  const challenge = ctx.challenges?.take(ctx.id)
  const refuse = (why: string) =>
    new TusError(
      'ERR_FORBIDDEN',
      403,
      `${why}; nothing was stored. Upload the file's bytes (PATCH from offset 0).`,
    )
  if (proof === undefined) throw refuse('Upload-Proof must be sha-256=:<base64 of 32 bytes>:')
  if (challenge === undefined)
    throw refuse('No challenge is open for this upload (it expired or was answered already)')
  if (upload.offset !== 0 || upload.size === undefined) throw refuse('Only an empty upload can be proven')
  let expected: Buffer
  try {
    // The ranges are read at once (at most CHALLENGE_MAX_BYTES in memory), then hashed in order: on
    // S3 each is a ranged GET, and 16 of them one after another took ~1.9 s on Ceph RGW, 0.16 s at once.
    const ranges = await Promise.all(
      challenge.ranges.map(async (r) => {
        const chunks: Uint8Array[] = []
        for await (const chunk of await store.read!(challenge.sourceId, { start: r.start, end: r.end + 1 }))
          chunks.push(chunk)
        return chunks
      }),
    )
    const hash = createHash('sha256').update(challenge.nonce)
    for (const chunks of ranges) for (const chunk of chunks) hash.update(chunk)
    expected = hash.digest()
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) throw refuse('The stored copy was removed meanwhile')
    throw err
  }
  if (!timingSafeEqual(expected, proof)) throw refuse('Upload-Proof does not match the challenged bytes')
  lease.assertHeld()
  let shared: UploadInfo
  try {
    shared = await store.shareFrom!(challenge.sourceId, upload.id)
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) throw refuse('The stored copy was removed meanwhile')
    throw err
  }
  ctx.digests?.share(challenge.sourceId, upload.id)
  return shared
}

/**
 * At completion: the identity of the bytes the store holds against the declared one. It was hashed
 * as the bytes were stored (RunningIdentities); when that state is lost it is computed by reading
 * them back (and the plain SHA-256 for Repr-Digest in the same read, when not known yet). A
 * mismatch removes the upload (nothing stays "finished") and answers 460.
 */
export async function verifyIdentity(ctx: HandlerContext, upload: UploadInfo): Promise<UploadInfo> {
  const { store } = ctx.options
  if (upload.identity === undefined || upload.identityVerified || !instantUploadOffered(ctx.options))
    return upload
  let digest = ctx.identities?.finish(upload.id, upload.offset)
  if (digest === undefined) {
    // Not hashed on the way in (a restart, a write that was cut or refused): read the bytes back.
    const identity = new IdentityHash()
    const sha = ctx.digests?.needsRead(upload) ? createHash('sha256') : undefined
    for await (const chunk of await store.read!(upload.id, { start: 0, end: upload.offset })) {
      identity.update(chunk)
      sha?.update(chunk)
    }
    digest = identity.digest()
    if (sha) ctx.digests?.remember(upload.id, sha.digest())
  }
  const stored = Buffer.from(digest).toString('hex')
  if (stored !== upload.identity) {
    await store.remove(upload.id)
    ctx.digests?.forget(upload.id)
    ctx.identities?.forget(upload.id)
    ctx.quotas?.usage.removed(upload.id)
    throw new TusError(
      'ERR_DIGEST_MISMATCH',
      STATUS_CHECKSUM_MISMATCH,
      `The stored bytes have ${IDENTITY_ALGORITHM} ${encodeBase64(Buffer.from(stored, 'hex'))}, not the declared ${encodeBase64(Buffer.from(upload.identity, 'hex'))}; the upload was deleted. Check the file and upload it again.`,
      // Tells this 460 from a damaged chunk's: sending the same bytes again cannot help.
      { headers: { 'Upload-Identity': formatIdentity(digest) } },
    )
  }
  return store.recordIdentity!(upload.id)
}

/** `Upload-Identity` of a finished upload whose identity the server checked. */
export function identityHeader(upload: UploadInfo): Record<string, string> {
  if (!upload.identityVerified || upload.identity === undefined) return {}
  return { 'Upload-Identity': formatIdentity(Buffer.from(upload.identity, 'hex')) }
}
