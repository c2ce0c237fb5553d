import type { UploadInfo } from '../types.js'
import type { HandlerContext } from './context.js'

/** Runs the finish hook and event once the last byte is stored. */
export async function finish(ctx: HandlerContext, upload: UploadInfo): Promise<void> {
  await ctx.options.onUploadFinish?.(ctx.req, upload)
  ctx.emit('upload-finished', { upload })
}
