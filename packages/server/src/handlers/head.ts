import { encodeMetadata } from '@shuttle/protocol'
import { reprDigestHeader } from '../digest/repr-digest.js'
import { identityHeader } from '../identity/instant.js'
import type { Reply } from '../reply.js'
import type { UploadInfo } from '../types.js'
import { assertNotExpired, expiresHeader } from '../upload-state.js'
import { authorizeUpload } from './authorize-upload.js'
import type { HandlerContext } from './context.js'
import { withLock } from './with-lock.js'

// The shared read below belongs to no single client: one client going away must not fail the rest.
const neverAborts = new AbortController().signal

/**
 * HEAD: the upload's offset, length, metadata, concatenation and expiry. It reads under the lock,
 * asking a PATCH still streaming to stop first (as @tus/server and tusd do): a client HEADs to
 * resume, so its earlier request is dead, and the offset it learns must not grow a moment later
 * when that request's last buffered bytes land. HEADs that arrive while such a read is under way
 * share it instead of queueing for the lock one by one (2000 at once all answer at once).
 */
export async function handleHead(ctx: HandlerContext): Promise<Reply> {
  await authorizeUpload(ctx, 'head')
  const upload = await sharedLockedRead(ctx)
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
  return {
    status: 200,
    headers: { ...headers, ...(await reprDigestHeader(ctx.digests, upload)), ...identityHeader(upload) },
  }
}

function sharedLockedRead(ctx: HandlerContext): Promise<UploadInfo> {
  const { headReads } = ctx
  let read = headReads.get(ctx.id)
  if (read === undefined) {
    read = withLock(
      ctx,
      () => {
        // A HEAD is short; whoever waits gets the lock right after it.
      },
      () => ctx.options.store.getUpload(ctx.id),
      neverAborts,
    ).finally(() => headReads.delete(ctx.id))
    headReads.set(ctx.id, read)
  }
  return read
}
