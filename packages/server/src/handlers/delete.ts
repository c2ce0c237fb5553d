import type { Reply } from '../reply.js'
import { withLock } from './common.js'
import type { HandlerContext } from './context.js'

/** DELETE (termination): takes the lock (asking a running PATCH to stop), then removes everything. */
export async function handleDelete(ctx: HandlerContext): Promise<Reply> {
  const { store } = ctx.options
  return withLock(
    ctx,
    () => {
      // Removal is short; whoever waits gets the lock right after it.
    },
    async () => {
      const upload = await store.getUpload(ctx.id)
      await store.remove(ctx.id)
      ctx.emit('upload-terminated', { upload })
      return { status: 204 }
    },
  )
}
