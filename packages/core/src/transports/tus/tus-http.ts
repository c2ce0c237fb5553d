import {
  encodeMetadata,
  HttpStatusError,
  parseNonNegativeInt,
  TUS_RESUMABLE,
  UploadError,
} from '@shuttle/protocol'
import { resolveUrl } from '../../platform.js'
import type { HttpResponse } from '../../ports.js'
import { parseRetryAfter } from '../../retry.js'
import type { TransportContext, TransportRequest } from '../transport.js'

export const tusHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
  'Tus-Resumable': TUS_RESUMABLE,
  ...extra,
})

/** An HttpStatusError carrying the server's message (for display) and Retry-After (for the policy). */
export function statusError(
  res: HttpResponse,
  method: string,
  url: string,
  opts: { code?: 'ERR_CHECKSUM_MISMATCH'; retryable?: boolean } = {},
): HttpStatusError {
  const serverMessage = res.body.trim().slice(0, 500) || undefined
  const err = new HttpStatusError(res.status, method, url, serverMessage ? { ...opts, serverMessage } : opts)
  const retryAfter = parseRetryAfter(res.header('retry-after'), Date.now())
  if (retryAfter !== undefined) Object.assign(err, { retryAfter })
  return err
}

export function readOffset(res: HttpResponse, method: string, url: string): number {
  try {
    return parseNonNegativeInt(res.header('upload-offset'), 'Upload-Offset')
  } catch (cause) {
    throw new UploadError('ERR_OFFSET_MISMATCH', `${method} ${url} returned no valid Upload-Offset`, {
      cause,
      retryable: true,
    })
  }
}

export type HeadResult =
  | { kind: 'ok'; offset: number; length: number | undefined }
  | { kind: 'missing'; reason: 'not-found' | 'gone' }

/** HEAD an upload: its offset and length, or that it is gone (404/410). */
export async function headUpload(ctx: TransportContext, url: string): Promise<HeadResult> {
  const res = await ctx.send({ method: 'HEAD', url, headers: tusHeaders() })
  if (res.status === 404) return { kind: 'missing', reason: 'not-found' }
  if (res.status === 410) return { kind: 'missing', reason: 'gone' }
  if (res.status < 200 || res.status >= 300) throw statusError(res, 'HEAD', url)
  const lengthHeader = res.header('upload-length')
  const length = lengthHeader === undefined ? undefined : Number(lengthHeader)
  return { kind: 'ok', offset: readOffset(res, 'HEAD', url), length }
}

export interface CreateRequest {
  length?: number
  metadata?: Record<string, string>
  concat?: string
}

/** POST to the creation endpoint; returns the absolute upload URL. */
export async function createUpload(ctx: TransportContext, create: CreateRequest): Promise<string> {
  const endpoint = ctx.options.endpoint
  const headers = tusHeaders()
  if (create.length !== undefined) headers['Upload-Length'] = String(create.length)
  if (create.concat !== undefined) headers['Upload-Concat'] = create.concat
  if (create.metadata) {
    const encoded = encodeMetadata(create.metadata)
    if (encoded) headers['Upload-Metadata'] = encoded
  }
  const res = await ctx.send({ method: 'POST', url: endpoint, headers })
  if (res.status < 200 || res.status >= 300) throw statusError(res, 'POST', endpoint)
  const location = res.header('location')
  if (!location) {
    throw new UploadError('ERR_HTTP_STATUS', `POST ${endpoint} answered ${res.status} without a Location`)
  }
  return resolveUrl(location, endpoint)
}

export interface ServerCapabilities {
  extensions: ReadonlySet<string>
  checksumAlgorithms: ReadonlySet<string>
}

const NO_CAPABILITIES: ServerCapabilities = { extensions: new Set(), checksumAlgorithms: new Set() }

const list = (v: string | undefined) =>
  new Set(
    (v ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  )

/** OPTIONS once per endpoint; a failed discovery means "no extensions", never a failed upload. */
export function createCapabilityCache(): (ctx: TransportContext) => Promise<ServerCapabilities> {
  const cache = new Map<string, Promise<ServerCapabilities>>()
  return (ctx) => {
    const endpoint = ctx.options.endpoint
    let pending = cache.get(endpoint)
    if (!pending) {
      const req: TransportRequest = { method: 'OPTIONS', url: endpoint, headers: tusHeaders() }
      pending = ctx.send(req).then(
        (res) =>
          res.status >= 200 && res.status < 300
            ? {
                extensions: list(res.header('tus-extension')),
                checksumAlgorithms: list(res.header('tus-checksum-algorithm')),
              }
            : NO_CAPABILITIES,
        (err: unknown) => {
          cache.delete(endpoint)
          throw err
        },
      )
      cache.set(endpoint, pending)
    }
    return pending
  }
}
