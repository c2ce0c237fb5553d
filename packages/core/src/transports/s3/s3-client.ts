import { UploadError } from '@shuttle/protocol'
import type { HttpResponse } from '../../ports.js'
import { expectSuccess as ok } from '../http.js'
import type { TransportRequest } from '../transport.js'
import type { S3CheckpointPart } from './s3-state.js'

// The S3Client seam (uppy's): the transport plans, sends parts and keeps the checkpoint; a client
// only knows how to create, sign, list, complete and abort. Two implementations: a signing server
// with Companion's routes (this file) and client-side SigV4 (direct-client.ts).

export type Send = (req: TransportRequest) => Promise<HttpResponse>

export interface S3UploadRef {
  key: string
  uploadId: string
}

export interface SignedPart {
  url: string
  headers: Record<string, string>
  /** What signed it, handed back to authFailed() when S3 refuses the request. */
  signedWith?: unknown
}

export interface NewObject {
  name: string
  type: string
  metadata: Record<string, string>
}

export interface S3MultipartClient {
  create(send: Send, file: NewObject): Promise<S3UploadRef>
  signPart(send: Send, ref: S3UploadRef, partNumber: number): Promise<SignedPart>
  /** The parts S3 holds, or 'missing' when the upload is gone (aborted, completed, expired). */
  listParts(send: Send, ref: S3UploadRef): Promise<S3CheckpointPart[] | 'missing'>
  complete(send: Send, ref: S3UploadRef, parts: readonly S3CheckpointPart[]): Promise<{ location: string }>
  /** Aborts the multipart upload; an upload already gone is success. */
  abort(send: Send, ref: S3UploadRef): Promise<void>
  /** S3 refused a part signed by `signed` (expired URL or credentials): the next signature must be fresh. */
  authFailed(signed: SignedPart): void
  /** A URL naming the upload, for checkpoints and 'upload-created'. */
  uploadUrl(ref: S3UploadRef): string
}

const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' }

interface TextEncoderLike {
  encode(text: string): Uint8Array
}
export const utf8 = (text: string): Uint8Array =>
  new (globalThis as unknown as { TextEncoder: new () => TextEncoderLike }).TextEncoder().encode(text)

export function jsonBody(value: unknown): TransportRequest['body'] {
  return { kind: 'bytes', bytes: utf8(JSON.stringify(value)) }
}

function parseJson(res: HttpResponse, what: string): unknown {
  try {
    return JSON.parse(res.body)
  } catch (cause) {
    throw new UploadError('ERR_S3', `The signing server's ${what} answer is not JSON`, {
      cause,
      retryable: true,
    })
  }
}

/**
 * Server-side signing against Companion's routes: `@shuttle/server`'s createS3SigningHandler, or
 * Uppy Companion itself. The app's headers (cookies, Authorization) go to these requests only,
 * never to S3.
 */
export function createCompanionClient(base: string): S3MultipartClient {
  const root = `${base}/s3/multipart`
  const uploadPath = (ref: S3UploadRef) => `${root}/${encodeURIComponent(ref.uploadId)}`
  const keyQuery = (ref: S3UploadRef) => `key=${encodeURIComponent(ref.key)}`

  return {
    async create(send, file) {
      const res = ok(
        await send({
          method: 'POST',
          url: root,
          headers: JSON_HEADERS,
          body: jsonBody({ filename: file.name, type: file.type, metadata: file.metadata }),
        }),
        'POST',
        root,
      )
      const v = parseJson(res, 'create') as { key?: unknown; uploadId?: unknown }
      if (typeof v?.key !== 'string' || typeof v.uploadId !== 'string') {
        throw new UploadError('ERR_S3', `POST ${root} answered without key and uploadId`, { retryable: true })
      }
      return { key: v.key, uploadId: v.uploadId }
    },
    async signPart(send, ref, partNumber) {
      const url = `${uploadPath(ref)}/${partNumber}?${keyQuery(ref)}`
      const res = ok(await send({ method: 'GET', url, headers: { Accept: 'application/json' } }), 'GET', url)
      const v = parseJson(res, 'sign') as { url?: unknown; headers?: unknown }
      if (typeof v?.url !== 'string')
        throw new UploadError('ERR_S3', `GET ${url} answered without a url`, { retryable: true })
      const headers =
        typeof v.headers === 'object' && v.headers !== null ? (v.headers as Record<string, string>) : {}
      return { url: v.url, headers }
    },
    async listParts(send, ref) {
      const url = `${uploadPath(ref)}?${keyQuery(ref)}`
      const res = await send({ method: 'GET', url, headers: { Accept: 'application/json' } })
      if (res.status === 404) return 'missing'
      const v = parseJson(ok(res, 'GET', url), 'list')
      if (!Array.isArray(v))
        throw new UploadError('ERR_S3', `GET ${url} did not answer a list of parts`, { retryable: true })
      return v
        .filter((p) => Number.isInteger(p?.PartNumber) && typeof p?.ETag === 'string')
        .map((p) => ({
          partNumber: p.PartNumber as number,
          size: Number(p.Size ?? 0),
          etag: p.ETag as string,
        }))
    },
    async complete(send, ref, parts) {
      const url = `${uploadPath(ref)}/complete?${keyQuery(ref)}`
      const res = ok(
        await send({
          method: 'POST',
          url,
          headers: JSON_HEADERS,
          body: jsonBody({ parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) }),
        }),
        'POST',
        url,
      )
      const v = parseJson(res, 'complete') as { location?: unknown }
      return { location: typeof v?.location === 'string' ? v.location : '' }
    },
    async abort(send, ref) {
      const url = `${uploadPath(ref)}?${keyQuery(ref)}`
      const res = await send({ method: 'DELETE', url, headers: {} })
      if (res.status !== 404) ok(res, 'DELETE', url)
    },
    authFailed() {
      // Every signPart() asks the server for a new URL anyway.
    },
    uploadUrl: (ref) => `${uploadPath(ref)}?${keyQuery(ref)}`,
  }
}
