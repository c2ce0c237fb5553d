import { TusError } from '@shuttle/protocol'
import { downloadHeaders } from '../content-disposition.js'
import { reprDigestHeader } from '../digest/repr-digest.js'
import { identityHeader } from '../identity/instant.js'
import type { Reply } from '../reply.js'
import { isFinished } from '../upload-state.js'
import { authorizeUpload } from './authorize-upload.js'
import type { HandlerContext } from './context.js'
import { parseRange } from './range.js'
import { header } from './request-headers.js'

/**
 * GET: download a finished upload, whole or one byte range. Unfinished ones answer 409: their
 * bytes are not final yet, and 404 would wrongly say the upload does not exist.
 */
export async function handleGet(ctx: HandlerContext): Promise<Reply> {
  const { store } = ctx.options
  const read = store.read?.bind(store)
  if (!read) {
    throw new TusError('ERR_METHOD_NOT_ALLOWED', 405, 'This server does not serve downloads', {
      headers: { Allow: 'HEAD, PATCH, DELETE, OPTIONS' },
    })
  }
  const upload = (await authorizeUpload(ctx, 'read')) ?? (await store.getUpload(ctx.id))
  if (!isFinished(upload)) {
    throw new TusError(
      'ERR_INCOMPLETE',
      409,
      `Upload ${ctx.id} is not finished (${upload.offset} of ${upload.size ?? 'unknown'} bytes); download it once complete`,
    )
  }
  const size = upload.offset
  const metadata = upload.metadata
  const headers: Record<string, string> = {
    ...downloadHeaders(metadata),
    'Cache-Control': 'no-store',
    'Accept-Ranges': 'bytes',
    ...(await reprDigestHeader(ctx.digests, upload)),
    ...identityHeader(upload),
  }
  const range = parseRange(header(ctx.req, 'range'), size)
  if (range === 'unsatisfiable') {
    return {
      status: 416,
      headers: { 'Content-Range': `bytes */${size}` },
      body: `The requested range is outside the ${size}-byte upload`,
    }
  }
  if (range === undefined) {
    return {
      status: 200,
      headers: { ...headers, 'Content-Length': String(size) },
      body: await read(ctx.id),
    }
  }
  return {
    status: 206,
    headers: {
      ...headers,
      'Content-Length': String(range.end - range.start),
      'Content-Range': `bytes ${range.start}-${range.end - 1}/${size}`,
    },
    body: await read(ctx.id, range),
  }
}
