import type { Hash } from 'node:crypto'
import { HttpError, isUploadError, TusError } from '@shuttle/protocol'
import { storeChecksums } from '../digest/checksum-hash.js'
import { wantsDigest } from '../digest/repr-digest.js'
import { declaresChecksumTrailer, trailerAlgorithm, trailerDigest } from '../digest/trailer.js'
import type { IdentityHash } from '../identity/block-hash.js'
import { effectiveMaxSize } from '../trust/token-limits.js'
import type { Lease, RunningHash, UploadInfo, WriteOptions } from '../types.js'
import { isFinished } from '../upload-state.js'
import type { HandlerContext } from './context.js'
import { finish } from './finish.js'
import { contentLength, parseUploadChecksum } from './request-headers.js'

/** Bytes this upload may still take: up to its length, or up to maxSize while deferred. */
export function remainingBytes(ctx: HandlerContext, upload: UploadInfo): number | undefined {
  if (upload.size !== undefined) return upload.size - upload.offset
  const max = effectiveMaxSize(ctx)
  return max === undefined ? undefined : max - upload.offset
}

/** Rejects, before a byte is written, a body whose Content-Length goes past the upload's length. */
export function assertFits(ctx: HandlerContext, upload: UploadInfo): void {
  const room = remainingBytes(ctx, upload)
  const length = contentLength(ctx.req)
  if (room !== undefined && length !== undefined && length > room) {
    throw new TusError(
      'ERR_LENGTH_EXCEEDED',
      413,
      `The body is ${length} bytes but the upload has room for ${room} more (offset ${upload.offset}); nothing was stored`,
    )
  }
}

/**
 * Streams the request body into the store at the upload's offset (PATCH and
 * creation-with-upload), emits progress, and runs the finish hook when the upload completes.
 */
export async function writeBody(
  ctx: HandlerContext,
  upload: UploadInfo,
  releaseSignal: AbortSignal,
  lease: Lease,
): Promise<UploadInfo> {
  const { store } = ctx.options
  const checksum = requestChecksum(ctx)
  // Released (another request wants the upload) or draining (shutdown): stop reading, keep what arrived.
  const signal = AbortSignal.any([ctx.signal, releaseSignal, ctx.shutdown])
  const observer = ctx.options.observer
  let reported = upload.offset
  // The running SHA-256 of the stored bytes, when known at this offset (see ContentDigests).
  const running = wantsDigest(ctx.req) ? ctx.digests?.take(upload.id, upload.offset) : undefined
  // A declared identity is hashed as the bytes arrive too, so completion needs no second read.
  const identity = upload.identity === undefined ? undefined : ctx.identities?.take(upload.id, upload.offset)
  const hash = running || identity ? counted(running, identity) : undefined
  // A sha256-4m checksum from a 4 MiB boundary is the identity's own block digests, and a sha256
  // trailer from byte 0 is the running SHA-256's digest: each byte is hashed once for both.
  const tap = checksum?.algorithm === 'sha256-4m' ? identity?.tap() : undefined
  const shared =
    tap ??
    (checksum?.algorithm === 'sha256' &&
    typeof checksum.digest === 'function' &&
    running !== undefined &&
    upload.offset === 0
      ? { digest: () => new Uint8Array(running.copy().digest()) }
      : undefined)
  let offset: number
  try {
    offset = await store.write(upload.id, upload.offset, ctx.req, {
      signal,
      lease,
      maxBytes: remainingBytes(ctx, upload),
      checksum: shared && checksum ? { ...checksum, shared } : checksum,
      hash,
      onProgress: (o) => {
        if (o > reported) observer?.bytesStored?.(o - reported)
        reported = Math.max(reported, o)
        ctx.emit('upload-progress', { upload: { ...upload, offset: o }, offset: o })
      },
    })
  } catch (err) {
    // A trailer announced but gone (a proxy on the way drops trailers): say so, so the client stops
    // sending them rather than sending the same bytes again and again.
    if (err instanceof HttpError && err.status === 460 && trailerLost(ctx)) {
      throw err.withHeaders({ 'Upload-Checksum-Trailer': 'missing' })
    }
    // Bytes that fit were kept; if they completed the upload it is finished all the same.
    if (isUploadError(err) && err.code === 'ERR_LENGTH_EXCEEDED') {
      const now = await store.getUpload(upload.id)
      if (now.offset !== upload.offset) {
        ctx.emit('upload-progress', { upload: now, offset: now.offset })
        if (isFinished(now)) await finish(ctx, now)
      }
    }
    throw err
  } finally {
    tap?.close()
  }
  // Kept only if it saw exactly the bytes now stored: a chunk cut off before it could be verified
  // was hashed but not kept (then the digest is recomputed from the stored bytes when it matters).
  if (hash && upload.offset + hash.fed === offset) {
    if (running) ctx.digests?.keep(upload.id, offset, running)
    if (identity) ctx.identities?.keep(upload.id, offset, identity)
  }
  if (offset > reported) observer?.bytesStored?.(offset - reported)
  let updated: UploadInfo = { ...upload, offset }
  if (offset !== upload.offset) {
    ctx.emit('upload-progress', { upload: updated, offset })
    if (isFinished(updated)) updated = await finish(ctx, updated)
  }
  if (ctx.shutdown.aborted && offset !== upload.size) {
    throw new TusError(
      'ERR_SHUTTING_DOWN',
      503,
      `This server is shutting down; ${offset} bytes of upload ${upload.id} are stored. HEAD it and resume: another instance will answer.`,
      { retryable: true, headers: { 'Retry-After': '1' } },
    )
  }
  if (releaseSignal.aborted) {
    throw new TusError(
      'ERR_LOCKED',
      423,
      `Another request took over upload ${upload.id}; ${offset} bytes are stored. HEAD it to learn the offset.`,
    )
  }
  return updated
}

/**
 * A running hash that counts the bytes it is fed, and feeds them to the identity hash too. `copy`
 * and `digest` are the SHA-256's, which a request with `Want-Repr-Digest: sha-256=0` does not have:
 * stores only feed it and take a request's digest from `checksum.shared` (see WriteOptions).
 */
function counted(
  hash: Hash | undefined,
  identity: IdentityHash | undefined,
): RunningHash & { readonly fed: number } {
  let fed = 0
  const sha = () => {
    if (!hash) throw new Error('No running SHA-256 for this write')
    return hash
  }
  return {
    get fed() {
      return fed
    },
    update(data: Uint8Array) {
      fed += data.byteLength
      hash?.update(data)
      identity?.update(data)
    },
    copy: () => sha().copy(),
    digest: () => sha().digest(),
  }
}

function trailerLost(ctx: HandlerContext): boolean {
  return declaresChecksumTrailer(ctx.req) && ctx.req.trailers['upload-checksum'] === undefined
}

/**
 * The Upload-Checksum header, or (extension checksum-trailer, when the store offers it) a sha256
 * (or announced sha256-4m) that arrives as a trailer after the body; only algorithms the store lists.
 */
function requestChecksum(ctx: HandlerContext): WriteOptions['checksum'] {
  const inHeader = parseUploadChecksum(ctx.req, ctx.options.store)
  if (inHeader || !declaresChecksumTrailer(ctx.req)) return inHeader
  if (!ctx.options.store.extensions.has('checksum-trailer')) return undefined
  const algorithm = trailerAlgorithm(ctx.req, storeChecksums(ctx.options.store))
  return { algorithm, digest: () => trailerDigest(ctx.req, algorithm) }
}
