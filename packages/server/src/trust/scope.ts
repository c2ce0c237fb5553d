import { HttpError, TusError } from '@shuttle/protocol'
import { TOKEN_NEEDED } from '../auth/authenticate.js'
import { unauthorized } from '../auth/upload-token.js'
import type { HandlerContext } from '../handlers/context.js'
import type { TusAction, UploadInfo } from '../types.js'

/**
 * The one answer for an upload a request may not see, the same for an id that never existed: a
 * stranger cannot tell another subject's upload from nothing.
 */
export function uploadNotFound(id: string): TusError {
  return new TusError('ERR_NOT_FOUND', 404, `Upload ${id} not found`)
}

/**
 * With tokens on, an upload is its owner's (the token subject that created it): anyone else gets
 * `uploadNotFound`. A request without a token (only a GET gets this far) may download a finished
 * upload created with a `publicRead` token; otherwise it is told to bring a token (401), whether
 * the upload exists or not. Public-read uploads are downloadable by anyone. Uploads without an owner (created before tokens were turned on) are
 * nobody's. Without tokens everything is in scope.
 */
export function assertInScope(ctx: HandlerContext, upload: UploadInfo, action: TusAction): void {
  if (!ctx.options.tokens) return
  // A share link works for everyone, with or without a token of their own.
  if (action === 'read' && upload.publicRead === true) return
  const token = ctx.token
  if (token === undefined) throw unauthorized(TOKEN_NEEDED)
  if (upload.owner === undefined || upload.owner !== token.sub) throw uploadNotFound(ctx.id)
}

/**
 * What a failed read of the upload becomes with tokens on: unknown (404) and damaged (410) both
 * look like `uploadNotFound` (a damaged upload's owner cannot be read, so it is nobody's), or a
 * 401 for a request without a token. Other failures (the store's own trouble) pass unchanged.
 */
export function hideUnreadable(ctx: HandlerContext, err: unknown): unknown {
  if (!ctx.options.tokens) return err
  if (!(err instanceof HttpError) || (err.status !== 404 && err.status !== 410)) return err
  return ctx.token === undefined ? unauthorized(TOKEN_NEEDED) : uploadNotFound(ctx.id)
}

/** With tokens, a new upload is the token subject's, publicly readable if the token says so. */
export function ownership(ctx: HandlerContext): Pick<UploadInfo, 'owner' | 'publicRead'> {
  if (!ctx.token) return {}
  return { owner: ctx.token.sub, ...(ctx.token.publicRead ? { publicRead: true } : {}) }
}
