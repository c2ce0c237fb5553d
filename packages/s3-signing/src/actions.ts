import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  type Part,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { TusError } from '@shuttle/protocol'
import type { NormalizedS3Options } from './options.js'
import { isGone } from './sweep.js'

// The S3 side of each route, with Companion's JSON shapes (what @uppy/aws-s3 expects).

export const MAX_PARTS = 10_000
const MAX_METADATA_BYTES = 2048

export interface CreateResult {
  key: string
  uploadId: string
  bucket: string
}

export interface SignedPart {
  url: string
  /** Seconds the URL stays valid. */
  expires: number
}

export interface ListedPart {
  PartNumber: number
  Size: number
  ETag: string
  LastModified?: string
}

const bad = (message: string) => new TusError('ERR_INVALID_HEADER', 400, message)

/** Metadata values S3 can carry as x-amz-meta-*: ASCII as is, anything else RFC 2047 encoded. */
export function s3Metadata(input: unknown): Record<string, string> {
  if (input === undefined || input === null) return {}
  if (typeof input !== 'object' || Array.isArray(input)) throw bad('metadata must be an object of strings')
  const out: Record<string, string> = {}
  let bytes = 0
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (typeof v !== 'string') continue
    const key = k.toLowerCase().replace(/[^a-z0-9_-]/g, '_')
    if (key === '') continue
    const value = /^[\x20-\x7e]*$/.test(v) ? v : `=?UTF-8?B?${Buffer.from(v).toString('base64')}?=`
    bytes += key.length + value.length
    if (bytes > MAX_METADATA_BYTES) throw bad(`metadata is larger than ${MAX_METADATA_BYTES} bytes`)
    out[key] = value
  }
  return out
}

export function parsePartNumber(value: string): number {
  const n = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN
  if (!(n >= 1 && n <= MAX_PARTS)) throw bad('the part number must be a number between 1 and 10000')
  return n
}

export async function createUpload(
  o: NormalizedS3Options,
  key: string,
  type: string,
  metadata: Record<string, string>,
): Promise<CreateResult> {
  const out = await o.client.send(
    new CreateMultipartUploadCommand({ Bucket: o.bucket, Key: key, ContentType: type, Metadata: metadata }),
  )
  if (!out.UploadId) throw new Error('CreateMultipartUpload returned no UploadId')
  return { key, uploadId: out.UploadId, bucket: o.bucket }
}

export async function signPart(
  o: NormalizedS3Options,
  key: string,
  uploadId: string,
  partNumber: number,
): Promise<SignedPart> {
  const url = await getSignedUrl(
    o.client,
    new UploadPartCommand({ Bucket: o.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }),
    { expiresIn: o.urlExpiresIn },
  )
  return { url, expires: o.urlExpiresIn }
}

export async function listParts(
  o: NormalizedS3Options,
  key: string,
  uploadId: string,
): Promise<ListedPart[]> {
  const parts: ListedPart[] = []
  let marker: string | undefined
  for (;;) {
    const page = await o.client.send(
      new ListPartsCommand({
        Bucket: o.bucket,
        Key: key,
        UploadId: uploadId,
        ...(marker ? { PartNumberMarker: marker } : {}),
      }),
    )
    for (const p of page.Parts ?? []) {
      if (p.PartNumber === undefined || p.ETag === undefined) continue
      parts.push({
        PartNumber: p.PartNumber,
        Size: p.Size ?? 0,
        ETag: p.ETag,
        ...(p.LastModified ? { LastModified: p.LastModified.toISOString() } : {}),
      })
    }
    if (!page.IsTruncated || page.NextPartNumberMarker === undefined) return parts
    marker = String(page.NextPartNumberMarker)
  }
}

/** Validates Companion's `{ parts: [{ PartNumber, ETag }] }` and sorts it, as S3 requires ascending order. */
export function parseCompleteParts(body: Record<string, unknown>): Part[] {
  const parts = body.parts
  if (
    !Array.isArray(parts) ||
    parts.length === 0 ||
    parts.length > MAX_PARTS ||
    !parts.every(
      (p) =>
        typeof p === 'object' &&
        p !== null &&
        Number.isInteger((p as Part).PartNumber) &&
        typeof (p as Part).ETag === 'string',
    )
  ) {
    throw bad('`parts` must be an array of {ETag, PartNumber} objects')
  }
  return (parts as Part[])
    .map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag }))
    .sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0))
}

export async function completeUpload(
  o: NormalizedS3Options,
  key: string,
  uploadId: string,
  parts: Part[],
): Promise<{ location: string; key: string; bucket: string }> {
  const out = await o.client.send(
    new CompleteMultipartUploadCommand({
      Bucket: o.bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
    }),
  )
  return { location: out.Location ?? '', key, bucket: o.bucket }
}

/** Abort is idempotent here: an upload that is already gone is what the caller wanted. */
export async function abortUpload(o: NormalizedS3Options, key: string, uploadId: string): Promise<void> {
  try {
    await o.client.send(new AbortMultipartUploadCommand({ Bucket: o.bucket, Key: key, UploadId: uploadId }))
  } catch (err) {
    if (!isGone(err)) throw err
  }
}
