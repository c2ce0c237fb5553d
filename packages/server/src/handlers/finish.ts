import { verifyIdentity } from '../identity/instant.js'
import type { UploadInfo } from '../types.js'
import type { HandlerContext } from './context.js'

/**
 * Once the last byte is stored: checks a declared identity against the stored bytes (a mismatch
 * removes the upload and throws 460), then runs the finish hook and event. Resolves with the
 * upload as it now is (identity verified).
 */
export async function finish(ctx: HandlerContext, upload: UploadInfo): Promise<UploadInfo> {
  const verified = await verifyIdentity(ctx, upload)
  await ctx.options.onUploadFinish?.(ctx.req, verified)
  ctx.emit('upload-finished', { upload: verified })
  return verified
}
