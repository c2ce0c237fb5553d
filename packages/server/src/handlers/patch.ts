import { parseNonNegativeInt, TusError } from '@shuttle/protocol'
import { finishingDigestHeader } from '../digest/repr-digest.js'
import { answerProof, identityHeader } from '../identity/instant.js'
import type { Reply } from '../reply.js'
import { admitLength } from '../trust/quotas.js'
import { assertSizeAllowed } from '../trust/token-limits.js'
import type { Lease, UploadInfo } from '../types.js'
import { assertNotExpired, expiresHeader, isFinished } from '../upload-state.js'
import { authorizeUpload } from './authorize-upload.js'
import type { HandlerContext } from './context.js'
import { finish } from './finish.js'
import { hasBody, header, isOffsetStream, parseUploadChecksum } from './request-headers.js'
import { withLock } from './with-lock.js'
import { assertFits, writeBody } from './write-body.js'

/**
 * PATCH: append the body at Upload-Offset. In order: headers are checked (before any lock or
 * byte), `authorize` decides, the lock is taken (asking an older request on this upload to stop),
 * the upload is re-read under the lock, a deferred length is declared, the offset is compared, and
 * the body is streamed into the store.
 */
export async function handlePatch(ctx: HandlerContext): Promise<Reply> {
  const { req } = ctx
  if (!isOffsetStream(req)) {
    throw new TusError(
      'ERR_CONTENT_TYPE',
      415,
      'PATCH requests must have Content-Type: application/offset+octet-stream',
    )
  }
  const clientOffset = parseNonNegativeInt(header(req, 'upload-offset'), 'Upload-Offset')
  const lengthHeader = header(req, 'upload-length')
  const declaredLength =
    lengthHeader === undefined ? undefined : parseNonNegativeInt(lengthHeader, 'Upload-Length')
  parseUploadChecksum(req, ctx.options.store)
  hasBody(req) // validates Content-Length
  await authorizeUpload(ctx, 'write')

  // Asked to release (another request wants this upload): stop reading, keep what arrived.
  const release = new AbortController()
  return withLock(
    ctx,
    () => release.abort(),
    async (lease) => {
      let upload = await ctx.options.store.getUpload(ctx.id)
      assertNotExpired(upload)
      if (upload.concat?.kind === 'final') {
        throw new TusError('ERR_FORBIDDEN', 403, 'A final concatenated upload cannot be patched')
      }
      if (declaredLength !== undefined) upload = await declareLength(ctx, upload, declaredLength, lease)
      if (clientOffset !== upload.offset) {
        throw new TusError(
          'ERR_OFFSET_MISMATCH',
          409,
          `Upload-Offset is ${clientOffset} but the server has ${upload.offset} bytes; HEAD the upload and resume from its offset`,
        )
      }
      if (isFinished(upload)) {
        // 413 as tusd and @tus/server answer: the body is larger than the room left (none).
        if (hasBody(req)) {
          throw new TusError('ERR_FINISHED', 413, `Upload ${ctx.id} is complete and accepts no more bytes`)
        }
        return reply(upload.offset, {})
      }
      if (header(req, 'upload-proof') !== undefined && ctx.challenges) {
        // instant-upload: the client proves it holds the bytes of a file the server has.
        const shared = await finish(ctx, await answerProof(ctx, upload, lease))
        ctx.emit('upload-progress', { upload: shared, offset: shared.offset })
        return reply(shared.offset, identityHeader(shared))
      }
      assertFits(ctx, upload)
      const updated = await writeBody(ctx, upload, release.signal, lease)
      return reply(updated.offset, {
        ...expiresHeader(updated),
        ...(await finishingDigestHeader(ctx.req, ctx.digests, updated)),
        ...identityHeader(updated),
      })
    },
  )
}

/** Upload-Length on a PATCH: sets a deferred length once; must match an existing one. */
async function declareLength(
  ctx: HandlerContext,
  upload: UploadInfo,
  length: number,
  lease: Lease,
): Promise<UploadInfo> {
  const { store } = ctx.options
  if (upload.size !== undefined) {
    if (length === upload.size) return upload
    throw new TusError(
      'ERR_INVALID_HEADER',
      400,
      `Upload-Length is already ${upload.size} and cannot change to ${length}`,
    )
  }
  if (length < upload.offset) {
    throw new TusError(
      'ERR_INVALID_HEADER',
      400,
      `Upload-Length ${length} is smaller than the ${upload.offset} bytes already stored`,
    )
  }
  assertSizeAllowed(ctx, length)
  await admitLength(ctx, upload, length)
  // A deferred length exists only where the store offers creation-defer-length (checked at start).
  lease.assertHeld()
  return store.declareLength!(ctx.id, length)
}

function reply(offset: number, extra: Record<string, string>): Reply {
  return { status: 204, headers: { 'Upload-Offset': String(offset), ...extra } }
}
