import { TusError, type UploadMetadata } from '@shuttle/protocol'
import type { HandlerContext } from '../handlers/context.js'

/** The largest upload this request may make: the server's maxSize or the token's maxFileSize, the lower. */
export function effectiveMaxSize(ctx: HandlerContext): number | undefined {
  const server = ctx.options.maxSize
  const token = ctx.token?.limits.maxFileSize
  if (token === undefined) return server
  return server === undefined ? token : Math.min(server, token)
}

/** 413 naming whose limit it is, when `size` is over the server's maxSize or the token's maxFileSize. */
export function assertSizeAllowed(ctx: HandlerContext, size: number, what = `Upload-Length ${size}`): void {
  const server = ctx.options.maxSize
  if (server !== undefined && size > server) {
    throw new TusError('ERR_TOO_LARGE', 413, `${what} exceeds the maximum of ${server} bytes`)
  }
  const token = ctx.token?.limits.maxFileSize
  if (token !== undefined && size > token) {
    throw new TusError(
      'ERR_TOO_LARGE',
      413,
      `${what} exceeds your upload token's limit of ${token} bytes per file; ask the app for a token that allows larger files`,
    )
  }
}

/** The declared MIME type (without parameters), lower case; '' when none. */
function declaredType(metadata: Readonly<UploadMetadata>): string {
  const raw = metadata.filetype ?? metadata.type ?? metadata.contentType ?? ''
  return (raw.split(';')[0] ?? '').trim().toLowerCase()
}

/**
 * Whether an upload's metadata fits a token's `types`: any entry matches (as `accept` does):
 * `image/png` the declared filetype, `image/*` its family, `.pdf` the filename's extension.
 */
export function typeAllowed(types: readonly string[], metadata: Readonly<UploadMetadata>): boolean {
  const type = declaredType(metadata)
  const name = (metadata.filename ?? metadata.name ?? '').toLowerCase()
  return types.some((t) => {
    if (t.startsWith('.')) return name.length > t.length && name.endsWith(t)
    if (t.endsWith('/*')) return type.startsWith(t.slice(0, -1))
    return type === t
  })
}

/** 415 when the token restricts types and this upload's metadata fits none of them. */
export function assertTypeAllowed(ctx: HandlerContext, metadata: Readonly<UploadMetadata>): void {
  const types = ctx.token?.limits.types
  if (types === undefined || typeAllowed(types, metadata)) return
  const type = declaredType(metadata) || 'no filetype'
  const name = metadata.filename ?? metadata.name
  throw new TusError(
    'ERR_TYPE_NOT_ALLOWED',
    415,
    `This file (${type}${name ? `, ${JSON.stringify(name.slice(0, 100))}` : ''}) is not a type your upload token allows (${types.join(', ')}); pick such a file and send its type in Upload-Metadata (filetype) or its name (filename)`,
  )
}
