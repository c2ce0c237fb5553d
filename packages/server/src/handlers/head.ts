import { encodeMetadata } from '@shuttle/protocol'
import type { Reply } from '../reply.js'
import { assertNotExpired, expiresHeader, withLock } from './common.js'
import type { HandlerContext } from './context.js'

/**
 * HEAD: the upload's offset, length, metadata, concatenation and expiry. It takes the lock, asking
 * a PATCH still streaming to stop first (as @tus/server and tusd do): a client HEADs to resume,
 * so its earlier request is dead, and the offset it learns must not grow a moment later when that
 * request's last buffered bytes land. Resuming from a stale offset would cost a 409 and a resend.
 */
export async function handleHead(ctx: HandlerContext): Promise<Reply> {
  return withLock(
    ctx,
    () => {
      // A HEAD is short; whoever waits gets the lock right after it.
    },
    () => headReply(ctx),
  )
}

async function headReply(ctx: HandlerContext): Promise<Reply> {
  const upload = await ctx.options.store.getUpload(ctx.id)
  assertNotExpired(upload)
  const headers: Record<string, string> = {
    'Cache-Control': 'no-store',
    'Upload-Offset': String(upload.offset),
    ...expiresHeader(upload),
  }
  if (upload.size === undefined) headers['Upload-Defer-Length'] = '1'
  else headers['Upload-Length'] = String(upload.size)
  const metadata = encodeMetadata(upload.metadata)
  if (metadata !== '') headers['Upload-Metadata'] = metadata
  if (upload.concat?.kind === 'partial') headers['Upload-Concat'] = 'partial'
  if (upload.concat?.kind === 'final') {
    headers['Upload-Concat'] = `final;${upload.concat.parts.map((id) => ctx.urlFor(id)).join(' ')}`
  }
  return { status: 200, headers }
}
