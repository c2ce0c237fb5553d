import { HttpError, TusError, type UploadMetadata } from '@shuttle/protocol'
import { checkAuthorized } from '../authorize.js'
import { newUploadId } from '../ids.js'
import type { Reply } from '../reply.js'
import { admit } from '../trust/quotas.js'
import { assertInScope, hideUnreadable, ownership } from '../trust/scope.js'
import { assertSizeAllowed, assertTypeAllowed } from '../trust/token-limits.js'
import type { UploadInfo } from '../types.js'
import { isExpired, isFinished } from '../upload-state.js'
import { urlsTo } from '../urls.js'
import type { HandlerContext } from './context.js'
import { runCreateHook } from './create-hook.js'
import { finish } from './finish.js'
import { header } from './request-headers.js'

/** POST with `Upload-Concat: final;…`: a finished upload made of finished partial uploads. */
export async function createFinal(
  ctx: HandlerContext,
  urls: readonly string[],
  metadata: UploadMetadata,
): Promise<Reply> {
  const { store, basePath } = ctx.options
  const ids = urlsTo(urls, basePath)
  const parts = await Promise.all(ids.map((id) => loadPart(ctx, id)))
  const total = parts.reduce((sum, p) => sum + p.offset, 0)
  assertSizeAllowed(ctx, total, `The concatenated upload of ${total} bytes`)
  assertTypeAllowed(ctx, metadata)
  const length = header(ctx.req, 'upload-length')
  if (length !== undefined && length !== String(total)) {
    throw new TusError(
      'ERR_CONCAT',
      400,
      `Upload-Length ${length.slice(0, 20)} differs from the partial uploads' total of ${total}`,
    )
  }
  let upload: UploadInfo = {
    id: newUploadId(),
    size: total,
    offset: 0,
    metadata,
    createdAt: Date.now(),
    lastWriteAt: Date.now(),
    expiresAt: undefined, // complete on creation: nothing to expire
    concat: { kind: 'final', parts: ids },
    ...ownership(ctx),
  }
  const unadmit = await admit(ctx, { ...upload, offset: total })
  try {
    await checkAuthorized(
      ctx.options.authorize,
      ctx.req,
      { action: 'create', id: upload.id, upload },
      'create an upload',
    )
    upload = await runCreateHook(ctx, upload)
    // Only stores that offer concatenation get here (handlePost checks the extension).
    upload = await store.concatenate!(upload, ids)
  } catch (err) {
    unadmit()
    throw err
  }
  ctx.emit('upload-created', { upload })
  await finish(ctx, upload)
  return { status: 201, headers: { Location: ctx.urlFor(upload.id), 'Upload-Offset': String(upload.offset) } }
}

async function loadPart(ctx: HandlerContext, id: string): Promise<UploadInfo> {
  // Another subject's part (or, with tokens, a damaged one) gets the very answer an unknown id gets.
  const unknown = () =>
    new TusError('ERR_NOT_FOUND', 404, `Upload-Concat lists upload ${id}, which does not exist`)
  let part: UploadInfo
  try {
    part = await ctx.options.store.getUpload(id)
  } catch (err) {
    const hidden = hideUnreadable({ ...ctx, id }, err)
    if (hidden instanceof HttpError && hidden.status === 404) throw unknown()
    throw hidden
  }
  try {
    assertInScope({ ...ctx, id }, part, 'concatenate')
  } catch {
    throw unknown()
  }
  await checkAuthorized(
    ctx.options.authorize,
    ctx.req,
    { action: 'concatenate', id, upload: part },
    `concatenate upload ${id}`,
  )
  if (part.concat?.kind !== 'partial') {
    throw new TusError('ERR_CONCAT', 400, `Upload ${id} was not created with Upload-Concat: partial`)
  }
  if (isExpired(part)) throw new TusError('ERR_CONCAT', 400, `Partial upload ${id} expired`)
  if (!isFinished(part)) {
    throw new TusError(
      'ERR_CONCAT',
      400,
      `Partial upload ${id} is not finished (${part.offset} of ${part.size ?? 'unknown'} bytes); finish it first`,
    )
  }
  return part
}
