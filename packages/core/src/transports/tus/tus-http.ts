import {
  encodeMetadata,
  PATCH_CONTENT_TYPE,
  parseNonNegativeInt,
  TUS_RESUMABLE,
  UploadError,
} from '@shuttle/protocol'
import { resolveUrl } from '../../platform.js'
import type { HttpResponse } from '../../ports.js'
import { statusError } from '../http.js'
import type { TransportContext, TransportRequest } from '../transport.js'

export const tusHeaders = (extra: Record<string, string> = {}): Record<string, string> => ({
  'Tus-Resumable': TUS_RESUMABLE,
  ...extra,
})

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
  | { kind: 'ok'; offset: number; length: number | undefined; response: HttpResponse }
  | { kind: 'missing'; reason: 'not-found' | 'gone' }

/** HEAD an upload: its offset and length, or that it is gone (404/410). */
export async function headUpload(ctx: TransportContext, url: string): Promise<HeadResult> {
  const res = await ctx.send({ method: 'HEAD', url, headers: tusHeaders() })
  if (res.status === 404) return { kind: 'missing', reason: 'not-found' }
  if (res.status === 410) return { kind: 'missing', reason: 'gone' }
  if (res.status < 200 || res.status >= 300) throw statusError(res, 'HEAD', url)
  const lengthHeader = res.header('upload-length')
  const length = lengthHeader === undefined ? undefined : Number(lengthHeader)
  return { kind: 'ok', offset: readOffset(res, 'HEAD', url), length, response: res }
}

export interface CreateRequest {
  /** Extra request headers (e.g. Want-Repr-Digest). */
  headers?: Record<string, string>
  length?: number
  metadata?: Record<string, string>
  concat?: string
  /**
   * creation-with-upload: send file bytes [0, end) in the POST body. Progress goes to `onSent`
   * (bytes of this body handed to the network so far).
   */
  body?: {
    end: number
    onSent(bytes: number): void
    /** The bytes [0, end) already in memory (to checksum them), and headers that go with them. */
    bytes?: Uint8Array
    headers?: Record<string, string>
  }
}

export interface Created {
  /** Absolute upload URL. */
  url: string
  /**
   * Bytes the server confirmed storing from the POST body: its Upload-Offset when present and within
   * [0, body.end], else 0 (a later PATCH answered 409 resyncs by HEAD if it did keep more).
   */
  offset: number
  response: HttpResponse
}

/** POST to the creation endpoint; returns the absolute upload URL. */
export async function createUpload(ctx: TransportContext, create: CreateRequest): Promise<string> {
  return (await createUploadWithBody(ctx, create)).url
}

/** POST to the creation endpoint, with the first bytes as body when `create.body` is given. */
export async function createUploadWithBody(ctx: TransportContext, create: CreateRequest): Promise<Created> {
  const endpoint = ctx.options.endpoint
  const headers = tusHeaders(create.headers)
  if (create.length !== undefined) headers['Upload-Length'] = String(create.length)
  if (create.concat !== undefined) headers['Upload-Concat'] = create.concat
  if (create.metadata) {
    const encoded = encodeMetadata(create.metadata)
    if (encoded) headers['Upload-Metadata'] = encoded
  }
  const req: TransportRequest = { method: 'POST', url: endpoint, headers, creates: true }
  const body = create.body
  if (body !== undefined && body.end > 0) {
    headers['Content-Type'] = PATCH_CONTENT_TYPE
    Object.assign(headers, body.headers)
    req.body = body.bytes
      ? { kind: 'bytes', bytes: body.bytes }
      : { kind: 'range', source: ctx.source, start: 0, end: body.end }
    req.onUploadProgress = (n) => body.onSent(n)
  }
  const res = await ctx.send(req)
  // The declared identity is not that of the bytes stored (instant-upload): the upload is gone.
  if (res.status === 460 && res.header('upload-identity') !== undefined) {
    throw statusError(res, 'POST', endpoint, { code: 'ERR_DIGEST_MISMATCH', retryable: false })
  }
  if (res.status < 200 || res.status >= 300) throw statusError(res, 'POST', endpoint)
  const location = res.header('location')
  if (!location) {
    throw new UploadError('ERR_HTTP_STATUS', `POST ${endpoint} answered ${res.status} without a Location`)
  }
  return {
    url: resolveUrl(location, endpoint),
    offset: req.body ? bodyOffset(res, body?.end ?? 0) : 0,
    response: res,
  }
}

/** Upload-Offset of a creation-with-upload answer, when it is a valid count of the bytes we sent. */
function bodyOffset(res: HttpResponse, sent: number): number {
  const raw = res.header('upload-offset')
  if (raw === undefined) return 0
  try {
    const offset = parseNonNegativeInt(raw, 'Upload-Offset')
    return offset <= sent ? offset : 0
  } catch {
    return 0
  }
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

/**
 * OPTIONS once per endpoint; a non-2xx answer means "no extensions", never a failed upload. The
 * request goes out with the first asking attempt's signal, and every later caller awaits it. If that
 * attempt is paused or canceled mid-OPTIONS, the others must not inherit its abort: they ask again
 * with their own. A caller's own abort, or a network error, is thrown (the cache is cleared so the
 * next attempt asks again).
 */
export function createCapabilityCache(): (ctx: TransportContext) => Promise<ServerCapabilities> {
  const cache = new Map<string, { owner: TransportContext; pending: Promise<ServerCapabilities> }>()
  const ask = (ctx: TransportContext) => {
    const endpoint = ctx.options.endpoint
    const req: TransportRequest = { method: 'OPTIONS', url: endpoint, headers: tusHeaders() }
    const entry = {
      owner: ctx,
      pending: ctx.send(req).then(
        (res): ServerCapabilities =>
          res.status >= 200 && res.status < 300
            ? {
                extensions: list(res.header('tus-extension')),
                checksumAlgorithms: list(res.header('tus-checksum-algorithm')),
              }
            : NO_CAPABILITIES,
        (err: unknown) => {
          if (cache.get(endpoint) === entry) cache.delete(endpoint)
          throw err
        },
      ),
    }
    cache.set(endpoint, entry)
    return entry
  }
  return async (ctx) => {
    for (let tries = 0; ; tries++) {
      const entry = cache.get(ctx.options.endpoint) ?? ask(ctx)
      try {
        return await entry.pending
      } catch (err) {
        // Another file's attempt ended under its request: ask again, on our own signal this time.
        const foreignAbort = entry.owner !== ctx && !ctx.signal.aborted && isAbortLike(err)
        if (!foreignAbort || tries >= 3) throw err
      }
    }
  }
}

const isAbortLike = (err: unknown) =>
  err instanceof UploadError && (err.code === 'ERR_ABORTED' || err.code === 'ERR_STALLED')
