import { parseNonNegativeInt, TusError } from '@shuttle/protocol'
import type { Reply } from '../reply.js'
import {
  assertNotExpired,
  expiresHeader,
  hasBody,
  header,
  isFinished,
  isOffsetStream,
  parseUploadChecksum,
  withLock,
} from './common.js'
import type { HandlerContext } from './context.js'
import { assertFits, writeBody } from './write-body.js'

/** PATCH: append the body at Upload-Offset. */
export async function handlePatch(ctx: HandlerContext): Promise<Reply> {
  const { req, options } = ctx
  if (!isOffsetStream(req)) {
    throw new TusError(
      'ERR_CONTENT_TYPE',
      415,
      'PATCH requests must have Content-Type: application/offset+octet-stream',
    )
  }
  const clientOffset = parseNonNegativeInt(header(req, 'upload-offset'), 'Upload-Offset')
  const lengthHeader = header(req, 'upload-length')
  const declaredLength =
    lengthHeader === undefined ? undefined : parseNonNegativeInt(lengthHeader, 'Upload-Length')
  parseUploadChecksum(req) // header errors answer before any lock or byte
  hasBody(req) // validates Content-Length

  // Asked to release (another request wants this upload): stop reading, keep what arrived.
  const release = new AbortController()
  return withLock(
    ctx,
    () => release.abort(),
    async () => {
      let upload = await options.store.getUpload(ctx.id)
      assertNotExpired(upload)
      if (upload.concat?.kind === 'final') {
        throw new TusError('ERR_FORBIDDEN', 403, 'A final concatenated upload cannot be patched')
      }
      if (declaredLength !== undefined) {
        if (upload.size === undefined) {
          if (declaredLength < upload.offset) {
            throw new TusError(
              'ERR_INVALID_HEADER',
              400,
              `Upload-Length ${declaredLength} is smaller than the ${upload.offset} bytes already stored`,
            )
          }
          if (options.maxSize !== undefined && declaredLength > options.maxSize) {
            throw new TusError(
              'ERR_TOO_LARGE',
              413,
              `Upload-Length exceeds the maximum of ${options.maxSize} bytes`,
            )
          }
          upload = await options.store.declareLength(ctx.id, declaredLength)
        } else if (declaredLength !== upload.size) {
          throw new TusError(
            'ERR_INVALID_HEADER',
            400,
            `Upload-Length is already ${upload.size} and cannot change to ${declaredLength}`,
          )
        }
      }
      if (clientOffset !== upload.offset) {
        throw new TusError(
          'ERR_OFFSET_MISMATCH',
          409,
          `Upload-Offset is ${clientOffset} but the server has ${upload.offset} bytes; HEAD the upload and resume from its offset`,
        )
      }
      if (isFinished(upload)) {
        if (hasBody(req)) {
          throw new TusError('ERR_FINISHED', 400, `Upload ${ctx.id} is complete and accepts no more bytes`)
        }
        return reply(upload.offset, {})
      }
      assertFits(ctx, upload)
      const updated = await writeBody(ctx, upload, release.signal)
      return reply(updated.offset, expiresHeader(updated))
    },
  )
}

function reply(offset: number, extra: Record<string, string>): Reply {
  return { status: 204, headers: { 'Upload-Offset': String(offset), ...extra } }
}
