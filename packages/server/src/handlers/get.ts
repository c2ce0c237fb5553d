import { TusError } from '@shuttle/protocol'
import { contentDisposition, safeContentType } from '../content-disposition.js'
import type { Reply } from '../reply.js'
import { isFinished } from './common.js'
import type { HandlerContext } from './context.js'

/** GET: download a finished upload. Unfinished ones answer 409: their bytes are not final yet. */
export async function handleGet(ctx: HandlerContext): Promise<Reply> {
  const { store } = ctx.options
  const upload = await store.getUpload(ctx.id)
  if (!isFinished(upload)) {
    throw new TusError(
      'ERR_INCOMPLETE',
      409,
      `Upload ${ctx.id} is not finished (${upload.offset} of ${upload.size ?? 'unknown'} bytes); download it once complete`,
    )
  }
  const metadata = upload.metadata
  const body = await store.read(ctx.id)
  return {
    status: 200,
    headers: {
      'Content-Type': safeContentType(metadata),
      'Content-Length': String(upload.offset),
      'Content-Disposition': contentDisposition(metadata.filename ?? metadata.name),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    },
    body,
  }
}
