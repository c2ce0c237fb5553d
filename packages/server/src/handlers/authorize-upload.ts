import { isUploadError } from '@shuttle/protocol'
import { checkAuthorized } from '../authorize.js'
import { assertInScope, hideUnreadable } from '../trust/scope.js'
import type { TusAction, UploadInfo } from '../types.js'
import type { HandlerContext } from './context.js'

/**
 * Decides a request on an existing upload before any lock is taken, so a refused request never
 * asks a running PATCH to release (a stranger cannot stall an upload): with tokens on, the upload
 * must be the requester's (`assertInScope`), then `authorize` decides. Resolves with the upload it
 * read (undefined with neither tokens nor a hook: then nothing is read here). Without tokens a
 * damaged upload can still be deleted; the hook then sees `upload: undefined`.
 */
export async function authorizeUpload(
  ctx: HandlerContext,
  action: TusAction,
): Promise<UploadInfo | undefined> {
  const { authorize, store, tokens } = ctx.options
  if (!authorize && !tokens) return undefined
  let upload: UploadInfo | undefined
  try {
    upload = await store.getUpload(ctx.id)
  } catch (err) {
    if (tokens) throw hideUnreadable(ctx, err)
    if (!(action === 'delete' && isDamaged(err))) throw err
  }
  if (upload) assertInScope(ctx, upload, action)
  await checkAuthorized(authorize, ctx.req, { action, id: ctx.id, upload }, `${action} upload ${ctx.id}`)
  return upload
}

export function isDamaged(err: unknown): boolean {
  return isUploadError(err) && err.code === 'ERR_DAMAGED'
}
