import { encodeMetadata } from '@shuttle/protocol'
import type { Reply } from '../reply.js'
import { assertNotExpired, expiresHeader } from './common.js'
import type { HandlerContext } from './context.js'

/** HEAD: the upload's offset, length, metadata, concatenation and expiry. */
export async function handleHead(ctx: HandlerContext): Promise<Reply> {
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
