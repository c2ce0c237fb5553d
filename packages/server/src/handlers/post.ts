import {
  HttpError,
  isUploadError,
  type ParsedConcat,
  parseConcatHeader,
  parseMetadata,
  parseNonNegativeInt,
  TusError,
} from '@shuttle/protocol'
import { checkAuthorized } from '../authorize.js'
import { finishingDigestHeader } from '../digest/repr-digest.js'
import { declaredIdentity, identityHeader, offerChallenge } from '../identity/instant.js'
import { newUploadId } from '../ids.js'
import type { Reply } from '../reply.js'
import { admit } from '../trust/quotas.js'
import { ownership } from '../trust/scope.js'
import { assertSizeAllowed, assertTypeAllowed } from '../trust/token-limits.js'
import type { UploadInfo } from '../types.js'
import { expiresHeader, isFinished } from '../upload-state.js'
import { createFinal } from './concat.js'
import type { HandlerContext } from './context.js'
import { runCreateHook } from './create-hook.js'
import { finish } from './finish.js'
import { hasBody, header, isOffsetStream, parseUploadChecksum } from './request-headers.js'
import { withLock } from './with-lock.js'
import { assertFits, writeBody } from './write-body.js'

/** POST (creation, creation-with-upload, creation-defer-length, concatenation). */
export async function handlePost(ctx: HandlerContext): Promise<Reply> {
  const { req, options } = ctx
  const concatHeader = header(req, 'upload-concat')
  const concat: ParsedConcat | undefined =
    concatHeader === undefined ? undefined : parseConcatHeader(concatHeader)
  const metadata = parseMetadata(header(req, 'upload-metadata'), { maxSize: options.maxMetadataSize })
  if (concat !== undefined && !options.store.extensions.has('concatenation')) {
    throw new TusError('ERR_EXTENSION_UNSUPPORTED', 400, 'This server does not support Upload-Concat')
  }
  if (concat?.kind === 'final') return createFinal(ctx, concat.urls, metadata)

  const size = parseLength(ctx)
  if (size !== undefined) assertSizeAllowed(ctx, size)
  if (concat === undefined) assertTypeAllowed(ctx, metadata)
  const withData = isOffsetStream(req) && hasBody(req)
  if (withData) parseUploadChecksum(req, options.store) // header errors answer before anything is created
  const identity = declaredIdentity(ctx, size)

  const now = Date.now()
  let upload: UploadInfo = {
    id: newUploadId(),
    size,
    offset: 0,
    metadata,
    createdAt: now,
    lastWriteAt: now,
    expiresAt: options.expireAfter === undefined ? undefined : now + options.expireAfter,
    concat: concat?.kind === 'partial' ? { kind: 'partial' } : undefined,
    ...ownership(ctx),
    ...(identity === undefined ? {} : { identity }),
  }
  if (withData) assertFits(ctx, upload)
  const unadmit = await admit(ctx, upload)
  try {
    await checkAuthorized(
      options.authorize,
      req,
      { action: 'create', id: upload.id, upload },
      'create an upload',
    )
    upload = await runCreateHook(ctx, upload)
    upload = await options.store.create(upload)
  } catch (err) {
    unadmit()
    throw err
  }
  ctx.emit('upload-created', { upload })

  let challenge: Record<string, string> = {}
  if (withData) {
    const release = new AbortController()
    const created = upload
    try {
      upload = await withLock(
        { ...ctx, id: upload.id },
        () => release.abort(),
        (lease) => writeBody(ctx, created, release.signal, lease),
      )
    } catch (err) {
      // A declared identity that the stored bytes do not have: the upload is already removed.
      if (isUploadError(err) && err.code === 'ERR_DIGEST_MISMATCH') throw err
      // An upload that kept no byte (checksum mismatch, body refused) is removed: nothing to resume.
      // One that kept bytes is named in the error reply's Location, so the client can HEAD and resume.
      if (await removeIfEmpty(ctx, created.id)) throw err
      throw err instanceof HttpError ? err.withHeaders({ Location: ctx.urlFor(created.id) }) : err
    }
  } else if (isFinished(upload)) {
    upload = await finish(ctx, upload) // a 0-byte upload is complete the moment it exists
  } else {
    challenge = await offerChallenge(ctx, upload)
  }
  return {
    status: 201,
    headers: {
      Location: ctx.urlFor(upload.id),
      'Upload-Offset': String(upload.offset),
      ...expiresHeader(upload),
      ...(await finishingDigestHeader(ctx.req, ctx.digests, upload)),
      ...identityHeader(upload),
      ...challenge,
    },
  }
}

/** Removes the upload if it holds no byte; true when it is gone. */
async function removeIfEmpty(ctx: HandlerContext, id: string): Promise<boolean> {
  try {
    const now = await ctx.options.store.getUpload(id)
    if (now.offset !== 0 || isFinished(now)) return false
    await ctx.options.store.remove(id)
    ctx.quotas?.usage.removed(id)
    return true
  } catch (err) {
    ctx.options.logger.error(`Could not remove unreachable upload ${id}`, err)
    return false
  }
}

/** Exactly one of Upload-Length and Upload-Defer-Length: 1. */
function parseLength(ctx: HandlerContext): number | undefined {
  const length = header(ctx.req, 'upload-length')
  const defer = header(ctx.req, 'upload-defer-length')
  if (length !== undefined && defer !== undefined) {
    throw new TusError(
      'ERR_INVALID_HEADER',
      400,
      'Send either Upload-Length or Upload-Defer-Length, not both',
    )
  }
  if (defer !== undefined) {
    if (defer !== '1') throw new TusError('ERR_INVALID_HEADER', 400, 'Upload-Defer-Length must be 1')
    if (!ctx.options.store.extensions.has('creation-defer-length')) {
      throw new TusError('ERR_EXTENSION_UNSUPPORTED', 400, 'This server needs Upload-Length at creation')
    }
    return undefined
  }
  if (length === undefined) {
    throw new TusError('ERR_INVALID_HEADER', 400, 'Upload-Length (or Upload-Defer-Length: 1) is required')
  }
  return parseNonNegativeInt(length, 'Upload-Length')
}
