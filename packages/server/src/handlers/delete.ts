import { TusError } from '@shuttle/protocol'
import type { Reply } from '../reply.js'
import type { UploadInfo } from '../types.js'
import { authorizeUpload, isDamaged } from './authorize-upload.js'
import type { HandlerContext } from './context.js'
import { withLock } from './with-lock.js'

/**
 * DELETE (termination): takes the lock (asking a running PATCH to stop), then removes everything.
 * A damaged upload (its stored state unreadable) is removed too: that is how it gets cleaned up.
 */
export async function handleDelete(ctx: HandlerContext): Promise<Reply> {
  const { store, logger } = ctx.options
  if (!store.extensions.has('termination')) {
    throw new TusError(
      'ERR_EXTENSION_UNSUPPORTED',
      405,
      'This server does not delete uploads (no termination)',
      {
        headers: { Allow: 'HEAD, PATCH, GET, OPTIONS' },
      },
    )
  }
  await authorizeUpload(ctx, 'delete')
  return withLock(
    ctx,
    () => {
      // Removal is short; whoever waits gets the lock right after it.
    },
    async (lease) => {
      let upload: UploadInfo | undefined
      try {
        upload = await store.getUpload(ctx.id)
      } catch (err) {
        if (!isDamaged(err)) throw err
      }
      lease.assertHeld()
      await store.remove(ctx.id)
      ctx.digests?.forget(ctx.id)
      ctx.identities?.forget(ctx.id)
      ctx.challenges?.forget(ctx.id)
      if (upload) ctx.emit('upload-terminated', { upload })
      else logger.info?.(`Removed damaged upload ${ctx.id}`)
      return { status: 204 }
    },
  )
}
